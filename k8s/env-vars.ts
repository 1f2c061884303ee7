// A container's environment as the kit writes it: plain values (empty ones left to the program's default),
// Secret references (never values) and downward-API fields.
import type { k8s } from 'cdk8s-plus-27';

export function secretEnv(name: string, secret: string, key: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key, optional: false } } };
}

export function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } };
}

/** Plain env entries from a record; undefined and empty values are left out (the program's default applies). */
export function plainEnv(values: Record<string, string | number | boolean | undefined>): k8s.EnvVar[] {
  return Object.entries(values)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined && e[1] !== '')
    .map(([name, value]) => ({ name, value: String(value) }));
}
