// TURN variables more than one part of the kit reads: the entrypoint and its health probe (turn/), the
// sidecar that hands out credentials, and the kit config that deploys both. One default and one rule each.
import { checked, envEnum, envInt, envPort, envString } from './env-fields.js';

/** TURN listening port (UDP and TCP). */
export const envTurnListenPort = () => envPort(3478, false);

/** Relay port range (UDP), by default the IANA dynamic range. The entrypoint refuses ports below `floor`
 * (1024: relays never take a privileged port); the kit config reads any port and says so in a rule of its
 * own, so that its other rules on the range still run. */
export const TURN_RELAY_PORTS = { min: 49152, max: 65535 } as const;
export const envTurnMinPort = (floor: number) => envInt(TURN_RELAY_PORTS.min, floor, 65535);
export const envTurnMaxPort = (floor: number) => envInt(TURN_RELAY_PORTS.max, floor, 65535);

/** Port of the entrypoint's log-derived metrics. The kit's manifests need a fixed one; run alone, 0 = ephemeral. */
export const envTurnExporterPort = (allowEphemeral: boolean) => envPort(9642, allowEphemeral);

/** The TURN realm. */
export const envTurnRealm = () =>
  checked(envString('pixelstream'), (v) =>
    /^[A-Za-z0-9.-]{1,128}$/.test(v) ? undefined : 'must be letters, digits, dots and dashes',
  );

/** Lifetime of issued credentials: Epic's default is a working day; long sessions must not lose their relay. */
export const envTurnTtlSeconds = () => envInt(43_200, 60, 7 * 86_400);

/** `relay` makes every peer use TURN only (it then needs TURN_URLS). */
export const envIceTransportPolicy = () => envEnum(['all', 'relay'] as const, 'all');
