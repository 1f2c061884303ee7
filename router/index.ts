// The session router's public surface: what main.ts, the tests and the benchmark use.
export { loadRouterConfig, type RouterConfig } from './config.js';
export { startRouter, type Router, type RouterTuning } from './router.js';
export type { Discovery, Endpoint } from './endpoints.js';
export { StaticDiscovery } from './static-discovery.js';
