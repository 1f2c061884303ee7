// TURN variables more than one part of the kit reads: the entrypoint and its health probe (turn/), the
// sidecar that hands out credentials, and the kit config that deploys both. One default and one rule each.
import { about, type Problem } from './env-config.js';
import { checked, envEnum, envInt, envPort, envString } from './env-fields.js';

/** TURN listening port (UDP and TCP). */
export const envTurnListenPort = () => envPort(3478, false);

/** Relay port range (UDP), by default the IANA dynamic range. Any port parses; the rules below refuse a
 * privileged one in a rule of their own, so that the other rules on the range still run. */
export const TURN_RELAY_PORTS = { min: 49152, max: 65535 } as const;
export const envTurnMinPort = () => envInt(TURN_RELAY_PORTS.min, 1, 65535);
export const envTurnMaxPort = () => envInt(TURN_RELAY_PORTS.max, 1, 65535);

/** Lowest relay port: below it ports are privileged and belong to system services. */
const MIN_RELAY_PORT = 1024;

/** The relay range, as the entrypoint and the kit config both parse it. */
export interface RelayPorts {
  TURN_MIN_PORT: number;
  TURN_MAX_PORT: number;
}

/** A relay range that reaches into the privileged ports. */
export const privilegedRelayPorts = (minPort: number): Problem[] =>
  minPort < MIN_RELAY_PORT
    ? about('TURN_MIN_PORT', [`must be ≥ ${MIN_RELAY_PORT} (relays never take privileged ports)`])
    : [];

/** A reversed relay range. */
export const reversedRelayPorts = (c: RelayPorts): Problem[] =>
  c.TURN_MIN_PORT > c.TURN_MAX_PORT
    ? about('TURN_MIN_PORT', [`must be ≤ TURN_MAX_PORT=${c.TURN_MAX_PORT}`])
    : [];

export const inRelayRange = (c: RelayPorts, port: number): boolean =>
  port >= c.TURN_MIN_PORT && port <= c.TURN_MAX_PORT;

/** `key`, a port of its own (listener, TLS, metrics), inside the relay range. */
export const portInRelayRange = (c: RelayPorts, key: string, port: number): Problem[] =>
  inRelayRange(c, port)
    ? about(key, [`must lie outside the relay range ${c.TURN_MIN_PORT}-${c.TURN_MAX_PORT}`])
    : [];

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
