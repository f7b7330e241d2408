/** One step of a property path: an object key or an array index. */
export type PathSegment = string | number;

/**
 * `drift.ignorePaths` entries: `<type>:<property path>`, split at the last `:`.
 *
 * - `<type>` is a glob (`*` matches any run of characters) over the resource's Pulumi type
 *   token (`kubernetes:apps/v1:Deployment`) or, for Kubernetes resources, its `apiVersion/Kind`
 *   (`apps/v1/Deployment`, `v1/ConfigMap`).
 * - `<property path>` is a Pulumi property path: names joined by `.`, `["key.with.dots"]` for
 *   keys that hold dots or slashes, `[0]` for a list item, and `*` / `[*]` for any one key or
 *   item. It covers the field and everything below it.
 *
 * Examples: `apps/v1/Deployment:spec.replicas`, `kubernetes:*:metadata.annotations["example.com/owner"]`,
 * `*:spec.template.spec.containers[*].image`. Pure.
 */
export interface IgnorePathRule {
  /** The entry as written. */
  text: string;
  type: string;
  path: RuleSegment[];
}

/** A segment of a rule's path: an exact key or index, or `*` (any one). */
export type RuleSegment = PathSegment | { any: true };

/** Parses one `ignorePaths` entry; throws an Error whose message says what is wrong with it. */
export function parseIgnorePath(text: string): IgnorePathRule {
  const at = text.lastIndexOf(':');
  if (at <= 0 || at === text.length - 1) {
    throw new Error(`"${text}" is not <type>:<property path> (e.g. apps/v1/Deployment:spec.replicas)`);
  }
  const type = text.slice(0, at);
  if (/\s/.test(type)) throw new Error(`"${text}": the type "${type}" has white space`);
  return { text, type, path: parseRulePath(text.slice(at + 1), text) };
}

/** Parses a Pulumi property path with `*` / `[*]` wildcards. */
export function parseRulePath(path: string, entry = path): RuleSegment[] {
  const segments: RuleSegment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`"${entry}": the property path "${path}" ${why}`);
  };
  while (i < path.length) {
    if (path[i] === '[') {
      const close = path.indexOf(']', i);
      if (path[i + 1] === '"') {
        let end = i + 2;
        while (end < path.length && path[end] !== '"') end += path[end] === '\\' ? 2 : 1;
        if (path[end + 1] !== ']') fail(`has an unclosed ["..."] at character ${i + 1}`);
        segments.push(JSON.parse(path.slice(i + 1, end + 1)) as string);
        i = end + 2;
      } else {
        if (close < 0) fail(`has an unclosed [ at character ${i + 1}`);
        const inner = path.slice(i + 1, close);
        if (inner === '*') segments.push({ any: true });
        else if (/^\d+$/.test(inner)) segments.push(Number(inner));
        else fail(`has [${inner}]: use [N] for a list item, [*] for any, or ["key"] for a key`);
        i = close + 1;
      }
    } else {
      if (path[i] === '.') {
        if (segments.length === 0 || i + 1 >= path.length || path[i + 1] === '.' || path[i + 1] === '[') fail('has an empty part');
        i++;
      } else if (segments.length > 0) fail(`needs a "." or "[" before character ${i + 1}`);
      let end = i;
      while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
      const name = path.slice(i, end);
      if (name.includes('"') || name.includes(']')) fail(`has a stray quote or "]" in "${name}"`);
      segments.push(name === '*' ? { any: true } : name);
      i = end;
    }
  }
  if (segments.length === 0) fail('is empty');
  return segments;
}

/** The Kubernetes `apiVersion/Kind` of a Pulumi Kubernetes type token, or undefined for other types. */
export function kubernetesTypeName(type: string): string | undefined {
  const m = /^kubernetes:([^:/]+)\/([^:/]+):([^:]+)$/.exec(type);
  if (!m) return undefined;
  return m[1] === 'core' ? `${m[2]}/${m[3]}` : `${m[1]}/${m[2]}/${m[3]}`;
}

function globRegex(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Whether a rule's type glob matches the Pulumi type token, or its Kubernetes `apiVersion/Kind`. */
export function typeMatches(glob: string, type: string): boolean {
  const re = globRegex(glob);
  const k8s = kubernetesTypeName(type);
  return re.test(type) || (k8s !== undefined && re.test(k8s));
}

/** A path in the drift report's flat form (`a.b[0].c`, keys with dots as they are), for comparing paths split differently. */
export function flatPath(segments: readonly RuleSegment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${typeof s === 'object' ? '*' : s}`)).join('');
}

/** Whether flat path `a` is `b` or a path above it. */
export function prefixOf(a: string, b: string): boolean {
  return b === a || b.startsWith(`${a}.`) || b.startsWith(`${a}[`);
}

/**
 * Whether the rule path covers `path`: it is a prefix of it, `*` matching any one segment. A rule
 * without wildcards also matches in flat form, for a path whose keys with dots were not told apart.
 */
export function pathMatches(rule: readonly RuleSegment[], path: readonly PathSegment[]): boolean {
  if (rule.length <= path.length && rule.every((r, i) => (typeof r === 'object' ? true : r === path[i]))) return true;
  return !rule.some((r) => typeof r === 'object') && prefixOf(flatPath(rule), flatPath(path));
}

/** The rule's path as Pulumi writes it for `ignoreChanges` (`*` as `[*]` after a list, else `.*`). */
export function rulePulumiPath(rule: readonly RuleSegment[]): string {
  return rule
    .map((s, i) => {
      if (typeof s === 'object') return i === 0 ? '*' : '[*]';
      if (typeof s === 'number') return `[${s}]`;
      if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)) return i === 0 ? s : `.${s}`;
      return `[${JSON.stringify(s)}]`;
    })
    .join('');
}
