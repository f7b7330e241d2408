/**
 * A fast reader for the plain subset of YAML that stack files are written in: `key: value` lines,
 * nested maps by indentation, `[a, b]` lists of plain words, quoted strings without escapes,
 * `true`/`false`, integers and comments. A catalogue of 1,000 stacks is read at the start of
 * every command, and the full parser (and its first-use compile) costs most of that.
 *
 * Anything outside the subset returns undefined and the full parser reads the file, so the
 * subset only has to be read exactly as the `yaml` package reads it (the unit tests compare
 * both), never to cover all of YAML: aliases, block lists, multi-line and escaped strings, floats,
 * duplicate keys and tabs all go to the full parser, which also finds every error's line.
 */
export function readSimpleYaml(text: string): Record<string, unknown> | undefined {
  const root: Record<string, unknown> = {};
  const frames: { indent: number; map: Record<string, unknown> }[] = [{ indent: 0, map: root }];
  // A `key:` with nothing after it: a nested map if deeper lines follow, else null.
  let open: { indent: number; map: Record<string, unknown>; key: string } | undefined;
  let entries = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length || line.charCodeAt(indent) === 35 /* # */) continue;
    const m = entryLine.exec(line);
    if (!m) return undefined;
    const key = m[2]!;
    if (reserved.has(key) || key === '__proto__') return undefined;
    if (open) {
      if (indent > open.indent) {
        const child: Record<string, unknown> = {};
        open.map[open.key] = child;
        frames.push({ indent, map: child });
      }
      open = undefined;
    }
    while (frames.length > 1 && frames[frames.length - 1]!.indent > indent) frames.pop();
    const top = frames[frames.length - 1]!;
    if (top.indent !== indent || Object.hasOwn(top.map, key)) return undefined;
    const value = readValue(m[3] ?? '');
    if (value === unsupported) return undefined;
    if (value === empty) {
      top.map[key] = null;
      open = { indent, map: top.map, key };
    } else {
      top.map[key] = value;
    }
    entries++;
  }
  return entries > 0 ? root : undefined;
}

const unsupported = Symbol('unsupported');
const empty = Symbol('empty');

/** `  key: rest`, the key a plain word with `namespace:name` colons. */
const entryLine = /^( *)([A-Za-z_][\w./-]*(?::[\w./-]+)*):(?: +(.*))?$/;
/** Words the YAML 1.2 core schema reads as null or booleans: as keys, or spelt otherwise, left to the full parser. */
const reserved = new Set(['null', 'Null', 'NULL', 'True', 'TRUE', 'False', 'FALSE', 'true', 'false']);
/** A plain string: a letter, digit, `_` or `/` first (no indicator), `:` only inside a word, single spaces, no `#`. */
const plainString = /^[\w/](?:[\w./+=@,;()'"!?%&*~$^<>|\\[\]{}-]|:(?=[\w./+=@-])| (?=[^ ]))*$/;
const integer = /^(?:0|-?[1-9][0-9]{0,14})$/;
/** Every number form of the YAML 1.2 core schema: a word like these that `integer` did not take goes to the full parser. */
const numeric = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;
const afterQuote = /^(?: +#.*| *)$/;
/** Control characters in a quoted string: left to the full parser, which rejects some. */
const control = /[\x00-\x08\x0a-\x1f\x7f]/;

function readValue(rest: string): unknown {
  if (rest === '' || rest.startsWith('#')) return empty;
  const first = rest[0];
  if (first === '"' || first === "'") {
    const close = rest.indexOf(first, 1);
    if (close === -1 || !afterQuote.test(rest.slice(close + 1))) return unsupported;
    const inner = rest.slice(1, close);
    return (first === '"' && inner.includes('\\')) || control.test(inner) ? unsupported : inner;
  }
  if (first === '[') {
    const close = rest.indexOf(']');
    if (close === -1 || !afterQuote.test(rest.slice(close + 1))) return unsupported;
    const inner = rest.slice(1, close);
    if (/[[{}"'#:]/.test(inner)) return unsupported;
    if (inner.trim() === '') return [];
    const items = inner.split(',').map((s) => readScalar(s.trim()));
    return items.includes(unsupported) ? unsupported : items;
  }
  if (first === '{') {
    const close = rest.indexOf('}');
    if (close === -1 || !afterQuote.test(rest.slice(close + 1))) return unsupported;
    return readFlowMap(rest.slice(1, close));
  }
  const hash = rest.indexOf(' #');
  const word = (hash === -1 ? rest : rest.slice(0, hash)).replace(/ +$/, '');
  return word === '' ? empty : readScalar(word);
}

/** `{ cpu: 100m, memory: 128Mi }`: plain keys, plain values without colons, nothing nested. */
function readFlowMap(inner: string): unknown {
  if (/[[\]{"'#]/.test(inner)) return unsupported;
  const map: Record<string, unknown> = {};
  if (inner.trim() === '') return map;
  for (const part of inner.split(',')) {
    const m = flowEntry.exec(part.trim());
    if (!m || reserved.has(m[1]!) || m[1] === '__proto__' || Object.hasOwn(map, m[1]!) || m[2]!.includes(':')) return unsupported;
    const value = readScalar(m[2]!);
    if (value === unsupported) return unsupported;
    map[m[1]!] = value;
  }
  return map;
}

const flowEntry = /^([A-Za-z_][\w./-]*(?::[\w./-]+)*): +(\S(?:.*\S)?)$/;

function readScalar(word: string): unknown {
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (integer.test(word)) return Number(word);
  if (numeric.test(word) || reserved.has(word) || !plainString.test(word)) return unsupported;
  return word;
}
