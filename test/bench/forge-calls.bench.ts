import type { DriftReport } from '../../src/api/drift-report.js';
import { notifyDrift } from '../../src/drift/notify.js';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { ForgePlatform } from '../../src/forge/forge.js';
import { ciEnv, startForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import type { Bench } from './bench-types.js';

/** A stack's drift result: drifted (an issue to open or update) or clean (an issue to close, if any). */
const report = (name: string, drifted: boolean): DriftReport => ({
  name,
  status: 'succeeded',
  policy: 'detect',
  drifted: drifted
    ? [{ urn: `urn:pulumi:${name}::app::t::r`, type: 't', name: 'r', op: 'update', changedProperties: ['a'], properties: [] }]
    : [],
  deleted: [],
  managedElsewhere: [],
  unchanged: 1,
  action: drifted ? 'reported' : 'none',
  durationMs: 1,
});

/**
 * API calls of a drift job with `--notify` for N stacks, a tenth of them drifted, against the
 * local forge server holding 300 open issues and pull requests of other people: the start-of-job
 * access check, the open-issue listing (once per run, filtered by our own user on the server),
 * and the writes. Counts, not times: side by side for each N and platform.
 */
const bench: Bench = {
  name: 'forge-calls',
  async run(log) {
    const lines: string[] = ['platform  stacks  drifted  total  lists  writes  access-check  lists-if-per-stack'];
    const figures: Record<string, number> = {};
    for (const platform of ['gitlab', 'github'] as ForgePlatform[]) {
      for (const n of [1, 10, 50, 200]) {
        const server = await startForgeServer();
        try {
          const project = server.state.project(platform, testProjects[platform]);
          for (let i = 0; i < 300; i++)
            project.issues.push({
              number: 5000 + i,
              title: `bug ${i}`,
              body: 'x',
              author: `person-${i % 7}`,
              labels: [],
              state: 'open',
              comments: [],
              createdAt: '2023-01-01T00:00:00.000Z',
            });
          const forge = createForge(forgeSettingsFromEnv(ciEnv(server, platform)), testForgeOptions);
          await forge.checkAccess('drift');
          const checked = server.requests.length;
          const drifted = Math.max(1, Math.floor(n / 10));
          const reports = Array.from({ length: n }, (_, i) => report(`s${i}`, i < drifted));
          await notifyDrift(reports, forge, (t) => t, { time: new Date(0) });
          const run = server.requests.slice(checked);
          const lists = run.filter((r) => r.method === 'GET' && /\/issues$/.test(r.path)).length;
          const writes = run.filter((r) => r.method !== 'GET').length;
          const total = server.requests.length;
          // Side by side: the same run with a lookup per stack (a client per stack, nothing kept between them).
          const before = server.requests.length;
          for (const r of reports)
            await notifyDrift([r], createForge(forgeSettingsFromEnv(ciEnv(server, platform)), testForgeOptions), (t) => t, {
              time: new Date(0),
            });
          const perStack = server.requests.slice(before).filter((r) => r.method === 'GET' && /\/issues$/.test(r.path)).length;
          lines.push(
            `${platform.padEnd(8)}  ${String(n).padStart(6)}  ${String(drifted).padStart(7)}  ${String(total).padStart(5)}  ${String(lists).padStart(5)}  ${String(writes).padStart(6)}  ${String(checked).padStart(12)}  ${String(perStack).padStart(18)}`,
          );
          figures[`${platform}_${n}_total`] = total;
          figures[`${platform}_${n}_lists`] = lists;
          figures[`${platform}_${n}_lists_per_stack`] = perStack;
          log(`${platform} ${n} stacks: ${total} calls`);
        } finally {
          await server.close();
        }
      }
    }
    return { name: 'forge-calls', lines, figures };
  },
};

export default bench;
