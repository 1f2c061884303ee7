// The one configuration error of the kit: a list of items, each naming the variable, the value it was given
// and the rule it breaks. Users read the rendered message (one line per item); code reads the items.
import { CodedError } from './coded-error.js';

/** Shown instead of the value of a secret (tokens, shared secrets): a log must never carry one. */
export const HIDDEN = '(hidden)';

/** One problem: `key` is the variable to change, `value` what it holds (undefined: unset; HIDDEN: a secret). */
export interface ConfigItem {
  readonly key: string;
  readonly value: string | undefined;
  readonly rule: string;
}

/** `KEY="value": rule`, `KEY=(unset): rule` or `KEY=(hidden): rule`. */
export function configLine(item: ConfigItem): string {
  const value =
    item.value === undefined ? '(unset)' : item.value === HIDDEN ? HIDDEN : JSON.stringify(item.value);
  return `${item.key}=${value}: ${item.rule}`;
}

/**
 * Thrown with every problem of a configuration at once. `notes` are problems found beyond the variables
 * (a manifest whose container would not start), already in words; they follow the items.
 */
export class ConfigError extends CodedError<'CONFIG_INVALID'> {
  constructor(
    readonly items: readonly ConfigItem[],
    readonly notes: readonly string[] = [],
  ) {
    const lines = [...items.map(configLine), ...notes];
    super(
      'CONFIG_INVALID',
      `invalid configuration (CONFIG_INVALID):\n${lines.map((p) => `  - ${p}`).join('\n')}`,
    );
  }

  /** One line per problem, as the message shows them. */
  get problems(): string[] {
    return [...this.items.map(configLine), ...this.notes];
  }
}

/** Runs `load`: the items of the ConfigError it throws, or none when it loads (other errors are thrown). */
export function configItems(load: () => unknown): readonly ConfigItem[] {
  try {
    load();
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.items;
    throw err;
  }
}
