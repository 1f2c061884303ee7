// TURN variables more than one part of the kit reads: the entrypoint and its health probe (turn/), the
// sidecar that hands out credentials, and the kit config that deploys both. One default and one rule each.
import { envEnum, envInt, envPort } from './env-fields.js';

/** TURN listening port (UDP and TCP). */
export const envTurnListenPort = () => envPort(3478, false);

/** Lifetime of issued credentials: Epic's default is a working day; long sessions must not lose their relay. */
export const envTurnTtlSeconds = () => envInt(43_200, 60, 7 * 86_400);

/** `relay` makes every peer use TURN only (it then needs TURN_URLS). */
export const envIceTransportPolicy = () => envEnum(['all', 'relay'] as const, 'all');
