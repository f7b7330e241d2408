import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// A module hook that fails the process as soon as anything asks for the engine's SDK or a forge
// client: commands that never run the engine must not pay for loading them.
const guard = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  if (/^(@pulumi\\\\/pulumi|@gitbeaker|@octokit)/.test(specifier)) throw new Error('FORBIDDEN LOAD ' + specifier);
  return next(specifier, context);
}\`));
`)}`;

function gitops(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', guard, path.join(root, 'bin', 'gitops.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: 'fast-start-test' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('commands that do not run the engine never load @pulumi/pulumi or a forge client', () => {
  const history = path.join(root, '.gitops', 'fast-start-history.jsonl');
  it.each([
    [['list']],
    [['validate']],
    [['graph']],
    [['schema']],
    [['affected', '--files', 'programs/local-base/index.ts']],
    [['affected', '--files', 'package-lock.json']],
    [['config', 'get', 'demo-base', 'local-base:hostname']],
    [['drift', 'history', '--file', history]],
    [['deploy', '--all', '--plan']],
  ])('gitops %j', (args) => {
    writeFileSync(history, `${JSON.stringify({ time: '2026-11-27T00:00:00Z', stacks: [] })}\n`);
    const r = gitops(args);
    expect(r.stderr).not.toContain('FORBIDDEN LOAD');
    expect(r.status).toBe(0);
  });

  it('the guard itself works: a command that runs the engine trips it', () => {
    const r = gitops(['preview', '--stack', 'demo-base']);
    expect(r.stderr).toContain('FORBIDDEN LOAD @pulumi/pulumi');
  });
});
