import { Composer, type CST, type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, Parser } from 'yaml';
import type { StackFileLimits } from './limits.js';

/** A problem with the YAML itself, before the schema looks at it. */
export interface YamlProblem {
  line?: number;
  field?: string;
  message: string;
}

export interface YamlRead {
  /** The parsed document, for positions of schema errors; absent when the YAML could not be composed. */
  doc?: Document.Parsed;
  lines: LineCounter;
  /** The value, when there were no problems. */
  value?: unknown;
  problems: YamlProblem[];
}

/**
 * Reads one YAML document within `limits`, in time linear in its size. Unlike `parseDocument`
 * with `uniqueKeys`, duplicate keys are found with a set per map (the package compares every
 * key with every other one: 50 s for 60k keys), nesting is bounded before the recursive
 * composer runs (deep nesting overflows the stack, and near its end V8 can abort the process),
 * and alias expansion past `maxAliasCount` is reported, not thrown.
 */
export function readYaml(text: string, limits: StackFileLimits): YamlRead {
  const lines = new LineCounter();
  const line = (offset: number): number => lines.linePos(offset).line;
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  const deep = tokenDeeperThan(tokens, limits.maxDepth);
  if (deep !== undefined) {
    return {
      lines,
      problems: [{ line: line(deep), message: `nested deeper than ${limits.maxDepth} levels, the limit for stack files (maxDepth)` }],
    };
  }
  let doc: Document.Parsed | undefined;
  const problems: YamlProblem[] = [];
  for (const next of new Composer({ uniqueKeys: false }).compose(tokens, true, text.length)) {
    if (doc) {
      problems.push({ line: line(next.range[0]), message: 'invalid YAML: a stack file holds one document, this is a second one' });
      break;
    }
    doc = next;
  }
  if (!doc) return { lines, problems: [{ message: 'invalid YAML: no document' }] };
  for (const e of doc.errors) problems.push({ line: line(e.pos[0]), message: `invalid YAML: ${e.message.split('\n')[0]}` });
  if (problems.length > 0) return { doc, lines, problems };
  problems.push(...structureProblems(doc, line));
  if (problems.length > 0) return { doc, lines, problems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    const excessive = err instanceof ReferenceError && /alias count/i.test(err.message);
    const message = excessive
      ? `aliases expand past the limit for stack files (maxAliasCount ${limits.maxAliasCount}); write the values out instead`
      : `invalid YAML: ${(err as Error).message}`;
    return { doc, lines, problems: [{ message }] };
  }
  if (deeperThan(value, limits.maxDepth)) {
    return {
      doc,
      lines,
      problems: [
        { message: `nested deeper than ${limits.maxDepth} levels once aliases are expanded, the limit for stack files (maxDepth)` },
      ],
    };
  }
  return { doc, lines, value, problems };
}

/** The offset of a token nested deeper than `max`, walking the syntax tree without recursion. */
function tokenDeeperThan(tokens: readonly CST.Token[], max: number): number | undefined {
  const stack: { token: CST.Token; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (token.type === 'document') {
      if (token.value) stack.push({ token: token.value, depth });
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth > max) return token.offset;
      for (const item of token.items) {
        if (item.key) stack.push({ token: item.key, depth: depth + 1 });
        if (item.value) stack.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** Duplicate keys and aliases with no anchor before them, in document order, without recursion. */
function structureProblems(doc: Document.Parsed, line: (offset: number) => number): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const anchors = new Set<string>();
  const at = (node: Node): number | undefined => (node.range ? line(node.range[0]) : undefined);
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: doc.contents, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (isAlias(node)) {
      if (!anchors.has(node.source)) {
        problems.push({
          line: at(node),
          field: fieldOf(path),
          message: `invalid YAML: alias *${node.source} has no anchor &${node.source} before it`,
        });
      }
      continue;
    }
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) continue;
    if (node.anchor) anchors.add(node.anchor);
    const children: { node: unknown; path: (string | number)[] }[] = [];
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined && seen.has(key)) {
          problems.push({ line: at(pair.key as Node), field: fieldOf(path), message: `invalid YAML: duplicate key "${key}"` });
        }
        if (key !== undefined) seen.add(key);
        children.push({ node: pair.key, path }, { node: pair.value, path: [...path, key ?? '?'] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        children.push({ node: item, path: [...path, i] });
      });
    }
    // Reversed onto the stack, so they come off in document order: anchors precede their aliases.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return problems;
}

/** True when the value nests deeper than `max` (a cycle made by an alias always does). */
function deeperThan(value: unknown, max: number): boolean {
  const deepest = new Map<object, number>();
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    // A value shared through an alias is walked again only when reached deeper than before.
    if ((deepest.get(v) ?? -1) >= depth) continue;
    deepest.set(v, depth);
    for (const child of Object.values(v)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/** `config.app:token`, `dependsOn[1]`; undefined at the top. */
export function fieldOf(path: readonly (string | number)[]): string | undefined {
  if (path.length === 0) return undefined;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
