// Shared contracts of the kit; components import from here and never from each other.
export * from './protocol.js';
export * from './metric-names.js';
export * from './turn-credentials.js';
export * from './env-config.js';
export * from './logger.js';
export * from './http-errors.js';
export * from './reservation-api.js';
export * from './router-token.js';
export * from './secret-token.js';
export * from './router-messages.js';
export * from './parent-watch.js';
export * from './control-chars.js';
export * from './run-service.js';
export * from './warning-limiter.js';
export * from './coded-error.js';
export * from './session-env.js';
export * from './turn-env.js';
