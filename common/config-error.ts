// The one configuration error of the kit: a list of items, each naming the variable, the value it was given
// and the rule it breaks. Users read the rendered message (one line per item); code reads the items.
import { CodedError } from './coded-error.js';

/**
 * One problem: `key` is the variable to change, `value` what it holds (undefined: unset), `rule` what is
 * wrong. A secret's value (tokens, shared secrets) never enters an item: `hidden` says it was set, and lines
 * show `(hidden)` instead, so no log or message can carry it.
 */
export type ConfigItem =
  | {
      readonly key: string;
      readonly value: string | undefined;
      readonly rule: string;
      readonly hidden?: false;
    }
  | { readonly key: string; readonly value?: undefined; readonly rule: string; readonly hidden: true };

/** `KEY="value": rule`, `KEY=(unset): rule` or `KEY=(hidden): rule`. */
export function configLine(item: ConfigItem): string {
  const value = item.hidden ? '(hidden)' : item.value === undefined ? '(unset)' : JSON.stringify(item.value);
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
