import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { buildDriver } from '../helpers/build-driver.js';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(args[0]!, args.slice(1), { cwd: root, maxBuffer: 1 << 26 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe('the npm package', () => {
  let files: string[];
  beforeAll(async () => {
    buildDriver();
    const [packed] = JSON.parse(await run(['npm', 'pack', '--dry-run', '--json', '--ignore-scripts'])) as { files: { path: string }[] }[];
    files = packed!.files.map((f) => f.path).sort();
  }, 120_000);

  it('holds bin/, the bundled dist/, the stack schema, the CI templates and nothing else', () => {
    const allowed = [
      /^bin\/(gitops|freshness|program-host)\.js$/,
      /^bin\/plugins\/(pulumi-language-gitops|pulumi-resource-pulumi-nodejs|pulumi-analyzer-policy-nodejs|gitops-confine)$/,
      /^dist\//,
      /^stacks\/stack\.schema\.json$/,
      /^\.gitlab-ci\.yml$/,
      /^\.github\/workflows\/gitops\.yml$/,
      /^(package\.json|README\.md|LICENSE|CHANGELOG\.md)$/,
    ];
    expect(files.filter((f) => !allowed.some((a) => a.test(f)))).toEqual([]);
    for (const needed of [
      'bin/gitops.js',
      'bin/program-host.js',
      'bin/plugins/pulumi-language-gitops',
      'dist/main.js',
      'dist/program-host.js',
      'stacks/stack.schema.json',
      '.gitlab-ci.yml',
      '.github/workflows/gitops.yml',
      'LICENSE',
    ]) {
      expect(files).toContain(needed);
    }
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('programs/') || f.startsWith('src/') || f.startsWith('docs/'))).toBe(
      false,
    );
  });

  it('is public, Apache-2.0 with the license text, and keeps example and type packages out of its dependencies', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(path.join(root, 'LICENSE'), 'utf8')).toContain(
      'Apache License\n                           Version 2.0, January 2004',
    );
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    const runtime = Object.keys(pkg.dependencies);
    expect(runtime.filter((d) => d.startsWith('@types/') || d.startsWith('@pulumi/'))).toEqual([]);
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['@pulumi/aws', '@pulumi/kubernetes', '@pulumi/pulumi']));
    expect(readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8')).toMatch(/^# Changelog/);
  });

  it('gitops --version prints the package version', async () => {
    let out = '';
    const code = await main(['--version'], {
      cwd: root,
      env: {},
      io: { stdout: (t) => (out += t), stderr: () => undefined },
      signal: new AbortController().signal,
      version: pkg.version,
    });
    expect(code).toBe(0);
    expect(out.trim()).toBe(pkg.version);
    expect((await run([process.execPath, 'bin/gitops.js', '--version'])).trim()).toBe(pkg.version);
  });
});
