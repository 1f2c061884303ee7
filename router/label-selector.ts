// Kubernetes label-selector syntax (the `labelSelector` of a pod list), checked at start-up so a typo in
// POD_SELECTOR stops the router with the bad term named instead of every list failing at the API server.
// Equality- and set-based terms, as `k8s.io/apimachinery/pkg/labels` parses them:
// `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`.

/** DNS-1123 subdomain: the optional prefix of a label key. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A label name, and a non-empty label value: alphanumeric at both ends, `-_.` inside. */
const NAME = /^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$/;
/** Kubernetes' length limits for a key's prefix, a key's name and a value. */
const MAX_PREFIX = 253;
const MAX_NAME = 63;

const FORMS = 'k=v, k==v, k!=v, k in (a,b), k notin (a,b), k or !k';

function keyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > MAX_PREFIX || !DNS_SUBDOMAIN.test(prefix)))
    return `label key prefix ${JSON.stringify(prefix)} must be a DNS subdomain (lower-case a-z, 0-9, '-', '.'; at most ${MAX_PREFIX})`;
  if (name.length > MAX_NAME || !NAME.test(name))
    return `label key name ${JSON.stringify(name)} must be 1-${MAX_NAME} characters of A-Z, a-z, 0-9, '-', '_', '.', alphanumeric at both ends`;
  return undefined;
}

function valueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= MAX_NAME && NAME.test(value))) return undefined;
  return `label value ${JSON.stringify(value)} must be at most ${MAX_NAME} characters of A-Z, a-z, 0-9, '-', '_', '.', alphanumeric at both ends`;
}

/** Splits on commas outside parentheses; `undefined` when the parentheses do not balance. */
function splitTerms(selector: string): string[] | undefined {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (ch === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim());
}

function termProblem(term: string): string | undefined {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (set) {
    const [, key = '', , list = ''] = set;
    if (list.trim() === '') return 'an in/notin set needs at least one value';
    return (
      keyProblem(key) ??
      list
        .split(',')
        .map((v) => valueProblem(v.trim()))
        .find(Boolean)
    );
  }
  const equality = /^([^\s=!()]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term);
  if (equality) return keyProblem(equality[1] ?? '') ?? valueProblem(equality[3] ?? '');
  const exists = /^!?\s*([^\s=!(),]+)$/.exec(term);
  if (exists) return keyProblem(exists[1] ?? '');
  return `not a selector term (${FORMS})`;
}

/**
 * Problems with a label selector, one line per bad term, each naming the term; an empty list when it is
 * valid. The empty selector (every pod) is valid syntax; callers decide whether they want it.
 */
export function labelSelectorProblems(selector: string): string[] {
  if (selector.trim() === '') return [];
  const terms = splitTerms(selector);
  if (!terms) return [`${JSON.stringify(selector)}: unbalanced or nested parentheses`];
  const problems: string[] = [];
  for (const term of terms) {
    const problem = term === '' ? 'empty term (a stray comma?)' : termProblem(term);
    if (problem) problems.push(`${JSON.stringify(term)}: ${problem}`);
  }
  return problems;
}
