import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciEnv, type ForgeServer, startForgeServer, testProjects } from '../helpers/forge-server.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';

/**
 * Drift a person can act on, and one alert per drift, on the real engine and an S3 state: a
 * line appended by hand to a managed multi-line file shows as that added line in the console,
 * the Markdown report and the forge issue; three scheduled runs against a local webhook receiver
 * send one alert, then nothing, then one "resolved"; and the history those runs kept beside the
 * state is read by another clone.
 */
const edge = (port: number) => `program: local-base\nconfig:\n  local-base:basePort: ${port}\ndrift:\n  policy: detect\n`;
const appended = 'debug: true   # added by hand on the server';

interface Received {
  stacks: { name: string; alert?: string; drifted: { properties: { path: string; new?: string }[] }[] }[];
}

describe('drift alerts and history', () => {
  let s3: S3Server;
  let forge: ForgeServer;
  let box: Sandbox;
  let receiver: http.Server;
  const received: Received[] = [];
  let hookUrl = '';
  const env = () => ({ ...s3.env(), ...ciEnv(forge, 'gitlab') });
  const drift = () =>
    box.run(['drift', '--all', '--detect-only', '--notify', 'issue', '--notify', `webhook=${hookUrl}`, '--markdown', 'drift.md'], env());
  const file = () => path.join(box.root, '.gitops', 'demo', 'edge-1', 'platform.json');
  const issues = () => forge.state.project('gitlab', testProjects.gitlab).issues;

  beforeAll(async () => {
    const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
    s3 = await startS3Server({ weed: weed.binary });
    forge = await startForgeServer();
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        received.push(JSON.parse(body) as Received);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    box = await createSandbox({ stacks: { 'edge-1': edge(9300), 'edge-2': edge(9400) } });
    const r = await box.run(['deploy', '--all', '--quiet'], s3.env());
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await box?.dispose();
    await forge?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await s3?.stop();
  });

  it('run 1: the appended line is in the console, the report and the issue; the webhook gets one alert', async () => {
    const original = await readFile(file(), 'utf8');
    expect(original.split('\n').length).toBeGreaterThan(3);
    await writeFile(file(), `${original}${appended}\n`);
    const r = await drift();
    expect(r.code, r.stderr).toBe(3);
    // The console: the added line with a real line break, as a diff line under its property.
    expect(r.stderr).toMatch(new RegExp(`\\n {10}\\+${appended.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    expect(r.stderr).not.toContain('\\n');
    const md = await readFile(path.join(box.root, 'drift.md'), 'utf8');
    expect(md).toContain(`\n+${appended}\n`);
    expect(md).toContain('--- Git\n+++ live\n@@');
    const issue = issues().find((i) => i.title === 'Drift on stack edge-1')!;
    expect(issue.state).toBe('open');
    expect(issue.body).toContain(`\n+${appended}\n`);
    expect(issue.body).toContain('[CI job](');
    expect(received).toHaveLength(1);
    expect(received[0]!.stacks.map((s) => [s.name, s.alert])).toEqual([['edge-1', 'new']]);
  });

  it('run 2: the same drift again sends nothing, and the issue stays the one record', async () => {
    const r = await drift();
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('nothing new to report');
    expect(received).toHaveLength(1);
    expect(issues().filter((i) => i.title === 'Drift on stack edge-1')).toHaveLength(1);
  });

  it('run 3: with the drift fixed, one "resolved" alert, and the issue closes', async () => {
    const text = await readFile(file(), 'utf8');
    await writeFile(file(), text.replace(`${appended}\n`, ''));
    const r = await drift();
    expect(r.code, r.stderr).toBe(0);
    expect(received).toHaveLength(2);
    expect(received[1]!.stacks.map((s) => [s.name, s.alert])).toEqual([['edge-1', 'resolved']]);
    expect(issues().find((i) => i.title === 'Drift on stack edge-1')!.state).toBe('closed');
  });

  it('another clone reads the history those runs kept with the state', async () => {
    const other = await createSandbox({ stacks: { 'edge-1': edge(9300), 'edge-2': edge(9400) } });
    try {
      const r = await other.run(['drift', 'history', '--json'], s3.env());
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { runs: number; episodes: { stack: string; fixed?: string; runs: number }[] };
      expect(doc.runs).toBe(3);
      expect(doc.episodes.map((e) => [e.stack, e.runs, e.fixed !== undefined])).toEqual([['edge-1', 2, true]]);
      const keys = await s3.client.listKeys(s3.bucket, '.gitops/drift-history/');
      expect(keys.filter((k) => k.startsWith('.gitops/drift-history/edge-1/'))).toHaveLength(3);
    } finally {
      await other.dispose();
    }
  });
});
