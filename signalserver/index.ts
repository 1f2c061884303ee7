// Public surface of the signalling sidecar: config loading and start-up; everything else is internal.
export { loadSidecarConfig, type SidecarConfig } from './config.js';
export { startSidecar, type Sidecar, type SidecarPorts } from './sidecar.js';
export { ListenError } from './listeners.js';
