// Variables the router and the signalling sidecar read alike: one default and one rule for both sides.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envEnum, envInt, envSecret, envString } from './env-fields.js';
import { LOG_LEVELS } from './logger.js';
import { MAX_RESERVATION_TTL_SECONDS, MAX_RESUME_GRACE_SECONDS } from './reservation-api.js';
import { routerTokenProblems } from './router-token.js';

/** The built player page (`npm run build:player`) in this checkout. */
export const DEFAULT_PLAYER_PAGE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'player',
  'build',
);

/** LOG_LEVEL of every component. */
export const envLogLevel = () => envEnum(LOG_LEVELS, 'info');

/** Longest wait in the router's queue; the kit's manifests allow less than the router itself (`max`). */
export const envQueueTimeoutSeconds = (max: number) => envInt(300, 1, max);

/** How long a draining sidecar waits for its session; the manifests bound it by the grace period (`max`). */
export const envDrainTimeoutSeconds = (max: number) => envInt(3600, 0, max);

/** The reservation API's shared settings (router and sidecars must agree). */
export const SESSION_ENV = {
  ROUTER_TOKEN: envSecret(routerTokenProblems),
  RESERVATION_TTL_SECONDS: envInt(15, 1, MAX_RESERVATION_TTL_SECONDS),
  RESUME_GRACE_SECONDS: envInt(60, 0, MAX_RESUME_GRACE_SECONDS),
  PLAYER_PAGE_DIR: envString(DEFAULT_PLAYER_PAGE_DIR),
  LOG_LEVEL: envLogLevel(),
};
