import { describe, expect, it } from 'vitest';
import { Redactor, stripAnsi } from '../../src/report/redact.js';

describe('Redactor', () => {
  const canary = 'canary-9c1e-SECRET';
  const r = new Redactor();
  r.add(canary);
  r.add('-----BEGIN KEY-----\nMIIBcanaryline1xyz\nMIIBcanaryline2abc\n-----END KEY-----');

  it('redacts the plain value wherever it appears', () => {
    expect(r.redact(`token=${canary}; again ${canary}`)).toBe('token=[secret]; again [secret]');
  });

  it('redacts base64 and base64url forms', () => {
    const b64 = Buffer.from(canary).toString('base64');
    expect(r.redact(`data: ${b64}`)).toBe('data: [secret]');
    expect(r.redact(`data: ${Buffer.from(canary).toString('base64url')}`)).toBe('data: [secret]');
  });

  it('redacts multi-line secrets line by line, and JSON-escaped', () => {
    expect(r.redact('leaked: MIIBcanaryline2abc')).toBe('leaked: [secret]');
    expect(r.redact(JSON.stringify({ v: '-----BEGIN KEY-----\nMIIBcanaryline1xyz\nMIIBcanaryline2abc\n-----END KEY-----' }))).not.toMatch(/canaryline/);
  });

  it('strips ANSI codes', () => {
    expect(stripAnsi('\u001b[31mred\u001b[0m and \u001b[1;32mgreen\u001b[39m')).toBe('red and green');
    expect(r.redact('\u001b[31mok\u001b[0m')).toBe('ok');
  });

  it('leaves other text alone and ignores values too short to be safe to redact', () => {
    const short = new Redactor();
    short.add('abc');
    expect(short.redact('abc abcd')).toBe('abc abcd');
    expect(r.redact('nothing to hide')).toBe('nothing to hide');
  });
});
