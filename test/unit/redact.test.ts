import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialValues, isCredentialVariable, learnCredentialEnv } from '../../src/secrets/credential-env.js';
import { REDACTED, Redactor, stripAnsi } from '../../src/secrets/redact.js';

/** A canary with every character the encodings treat specially: & < > " \ / space + % @ : and non-ASCII. */
const canary = 'c4n&ry<9c1e>"q\\/p@ss wörd+%:SECRET';
const pem = ['-----BEGIN PRIVATE KEY-----', 'MIIBcanaryLine1xyzQWERTY', 'MIIBcanaryLine2abcASDFGH', '-----END PRIVATE KEY-----'].join(
  '\r\n',
);

function redactorOf(...secrets: string[]): Redactor {
  const r = new Redactor();
  r.addAll(secrets);
  return r;
}

/** Go's encoding/json: JSON plus \u0026, \u003c, \u003e (and U+2028/9). */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[&<>\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python's json.dumps (ensure_ascii): every non-ASCII character as \uXXXX. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

describe('Redactor forms', () => {
  const r = redactorOf(canary, pem);

  it('redacts the plain value wherever it appears', () => {
    expect(r.redact(`token=${canary}; again ${canary}.`)).toBe(`token=${REDACTED}; again ${REDACTED}.`);
  });

  it('redacts JSON-escaped values: JSON, Go-JSON (\\u0026 \\u003c \\u003e), ASCII-only JSON and JSON inside JSON', () => {
    for (const encode of [JSON.stringify, goJson, asciiJson]) {
      const text = encode({ url: `https://x/?p=${canary}` });
      expect(text).not.toContain(canary);
      expect(r.redact(text)).toBe(`{"url":"https://x/?p=${REDACTED}"}`);
    }
    expect(goJson({ v: canary })).toContain('\\u0026');
    const nested = JSON.stringify({ log: JSON.stringify({ v: canary }) });
    expect(r.redact(nested)).toBe(JSON.stringify({ log: JSON.stringify({ v: REDACTED }) }));
  });

  it('redacts URL-encoded values with %20 and with +, hex digits in either case', () => {
    const percent = encodeURIComponent(canary);
    const form = new URLSearchParams({ p: canary }).toString().slice('p='.length);
    expect(percent).toContain('%20');
    expect(form).toContain('+');
    const lower = percent.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
    for (const encoded of [percent, form, lower]) {
      expect(r.redact(`postgres://app:${encoded}@db:5432/x`)).toBe(`postgres://app:${REDACTED}@db:5432/x`);
    }
  });

  it('redacts base64 and base64url of the value alone, entirely', () => {
    for (const alphabet of ['base64', 'base64url'] as const) {
      const encoded = Buffer.from(canary).toString(alphabet);
      expect(r.redact(`data: ${encoded}.`)).toBe(`data: ${REDACTED}.`);
    }
  });

  it('redacts base64 and base64url of the value inside longer data, at every offset (Basic auth of user:secret)', () => {
    for (const alphabet of ['base64', 'base64url'] as const) {
      for (let before = 0; before <= 6; before++) {
        for (let after = 0; after <= 3; after++) {
          const data = `${'u'.repeat(before)}${canary}${'x'.repeat(after)}`;
          const encoded = Buffer.from(data).toString(alphabet);
          const out = r.redact(encoded);
          expect(out, `${alphabet}, ${before} bytes before, ${after} after`).toContain(REDACTED);
          // What survives on either side encodes the filler and at most the bits of one secret byte.
          const [left, right] = out.split(REDACTED) as [string, string];
          expect(left.length).toBeLessThanOrEqual(Math.ceil((8 * before) / 6));
          expect(right.replace(/=+$/, '').length).toBeLessThanOrEqual(Math.ceil((8 * after) / 6) + 1);
        }
      }
    }
    const basic = `Authorization: Basic ${Buffer.from(`deploy-bot:${canary}`).toString('base64')}`;
    expect(r.redact(basic)).toMatch(/^Authorization: Basic [A-Za-z0-9+/]{15}\[secret\][A-Za-z0-9+/=]{0,3}$/);
  });

  it('redacts hex in lower, upper and mixed case', () => {
    const hex = Buffer.from(canary).toString('hex');
    expect(r.redact(`0x${hex}`)).toBe(`0x${REDACTED}`);
    expect(r.redact(`0x${hex.toUpperCase()}`)).toBe(`0x${REDACTED}`);
    const mixed = [...hex].map((d, i) => (i % 2 ? d.toUpperCase() : d)).join('');
    expect(r.redact(mixed)).toBe(REDACTED);
  });

  it('redacts a multi-line value whole, with CRLF or LF, and each of its lines alone in any form', () => {
    expect(r.redact(`key:\r\n${pem}\r\n`)).toBe(`key:\r\n${REDACTED}\r\n`);
    expect(r.redact(`key:\n${pem.replace(/\r\n/g, '\n')}`)).toBe(`key:\n${REDACTED}`);
    expect(r.redact(JSON.stringify({ key: pem }))).toBe(`{"key":"${REDACTED}"}`);
    const line = 'MIIBcanaryLine2abcASDFGH';
    expect(r.redact(`leaked: ${line}\r\n`)).toBe(`leaked: ${REDACTED}\r\n`);
    expect(r.redact(Buffer.from(`x${line}`).toString('base64'))).toContain(REDACTED);
    expect(r.redact(Buffer.from(line).toString('hex'))).toBe(REDACTED);
    // Every line is known on its own, so even the value base64-encoded with other line ends is caught.
    const lf = Buffer.from(pem.replace(/\r\n/g, '\n')).toString('base64');
    expect(r.redact(lf)).not.toBe(lf);
    expect(Buffer.from(r.redact(lf).split(REDACTED).join(''), 'base64').toString('latin1')).not.toMatch(/canaryLine/);
  });

  it('strips ANSI codes, also when they split a secret', () => {
    expect(stripAnsi('\u001b[31mred\u001b[0m and \u001b[1;32mgreen\u001b[39m')).toBe('red and green');
    expect(r.redact(`\u001b[1m${canary.slice(0, 5)}\u001b[0m${canary.slice(5)}`)).toBe(REDACTED);
  });
});

describe('Redactor limits', () => {
  it('ignores values shorter than 4 characters, and short lines of multi-line values', () => {
    const r = redactorOf('abc', 'xy\nlong-enough-line');
    expect(r.redact('abc abcd xy')).toBe('abc abcd xy');
    expect(r.redact('long-enough-line')).toBe(REDACTED);
  });

  it('ignores JSON literals, so --json output stays valid JSON', () => {
    const r = redactorOf('true', 'null');
    expect(r.redact('{"secret":true,"v":null}')).toBe('{"secret":true,"v":null}');
  });

  it('leaves other text alone, and redacted text unchanged on a second pass', () => {
    const r = redactorOf('secret', canary);
    expect(r.redact('nothing to hide')).toBe('nothing to hide');
    const once = r.redact(`a secret and ${canary}`);
    expect(once).toBe(`a ${REDACTED} and ${REDACTED}`);
    expect(r.redact(once)).toBe(once);
  });

  it('redacts every one of many secrets (their patterns are compiled in several parts)', () => {
    const many = Array.from({ length: 300 }, (_, i) => `many-secret-${i}-${'z'.repeat(i % 7)}/${i}`);
    const r = redactorOf(...many);
    const text = many.map((s, i) => (i % 2 ? encodeURIComponent(s) : Buffer.from(`u:${s}`).toString('base64'))).join('\n');
    expect(
      r
        .redact(text)
        .split('\n')
        .filter((l) => !l.includes(REDACTED)),
    ).toEqual([]);
  });

  it('prefers the longest form where two secrets overlap', () => {
    const r = redactorOf('abcd', 'abcdefgh');
    expect(r.redact('abcdefghij')).toBe(`${REDACTED}ij`);
  });
});

describe('credential environment', () => {
  it('recognises credential variables by name', () => {
    const yes = ['GITHUB_TOKEN', 'GITOPS_GITLAB_TOKEN', 'PULUMI_CONFIG_PASSPHRASE', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
    yes.push('DB_PASSWORD', 'API_KEY', 'GOOGLE_CREDENTIALS', 'ARM_CLIENT_SECRET', 'ssh_key', 'CI_JOB_TOKEN');
    const no = ['PATH', 'HOME', 'MONKEY_BUSINESS', 'KEYBOARD_LAYOUT', 'PULUMI_CONFIG_PASSPHRASE_FILE', 'CI_SERVER_TLS_KEY_FILE', 'CI'];
    no.push('PULUMI_BACKEND_URL');
    expect(yes.filter((n) => !isCredentialVariable(n))).toEqual([]);
    expect(no.filter(isCredentialVariable)).toEqual([]);
  });

  it('learns the values of credential variables and the passphrase file, then redacts them in any form', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-redact-'));
    try {
      const file = path.join(dir, 'passphrase');
      await writeFile(file, 'file-passphrase-7d2a\n');
      const env = {
        GITHUB_TOKEN: 'ghs_envcanary0123456789',
        GITOPS_GITLAB_TOKEN: 'glpat-envcanary-abcdef',
        PULUMI_CONFIG_PASSPHRASE: 'pass phrase & more',
        MY_SERVICE_SECRET: 'svc-secret-value-1',
        PULUMI_CONFIG_PASSPHRASE_FILE: file,
        HOME: '/home/someone',
        EMPTY_TOKEN: '',
      };
      expect(credentialValues(env).sort()).toEqual([
        'file-passphrase-7d2a',
        'ghs_envcanary0123456789',
        'glpat-envcanary-abcdef',
        'pass phrase & more',
        'svc-secret-value-1',
      ]);
      const r = new Redactor();
      learnCredentialEnv(r, env);
      const leaked = [
        env.GITHUB_TOKEN,
        encodeURIComponent(env.PULUMI_CONFIG_PASSPHRASE),
        new URLSearchParams({ p: env.PULUMI_CONFIG_PASSPHRASE }).toString().slice(2),
        Buffer.from(`oauth2:${env.GITOPS_GITLAB_TOKEN}`).toString('base64'),
        Buffer.from(env.MY_SERVICE_SECRET).toString('hex'),
        goJson(env.PULUMI_CONFIG_PASSPHRASE).slice(1, -1),
        'file-passphrase-7d2a',
      ];
      for (const text of leaked) expect(r.redact(`[${text}]`), text).toContain(REDACTED);
      expect(r.redact('/home/someone')).toBe('/home/someone');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('adds nothing for a passphrase file that cannot be read', () => {
    expect(credentialValues({ PULUMI_CONFIG_PASSPHRASE_FILE: '/nonexistent/passphrase' })).toEqual([]);
  });
});
