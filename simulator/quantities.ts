// Kubernetes quantities as the HPA sees them: every metric and target in integer milli-units.

/** Targets are quantities; `MilliValue()` rounds up. */
export const milli = (v: number): number => Math.ceil(Math.round(v * 1e6) / 1e3);

/** prometheus-adapter turns its float sample into a milli-quantity by truncation. */
export const adapterMilli = (v: number): number => Math.trunc(v * 1000);
