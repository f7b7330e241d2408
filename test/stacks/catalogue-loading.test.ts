import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultStackFileLimits } from '../../src/stacks/limits.js';
import { inspectStacks, loadStacks } from '../../src/stacks/load.js';
import { readYaml } from '../../src/stacks/read-yaml.js';
import { stackFileSchema } from '../../src/stacks/schema.js';
import { program, tempRepo } from '../helpers/temp-repo.js';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

async function repo(files: Record<string, string>) {
  const r = await tempRepo(files);
  disposers.push(r.dispose);
  return r.layout;
}

const pad = (n: number) => String(n).padStart(4, '0');

/** 400 stack files in the forms people write: plain lines, flow lists and maps, comments, quotes, anchors. */
function catalogue(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let p = 0; p < 20; p++) files[`programs/p${p}/index.ts`] = program;
  for (let s = 0; s < 400; s++) {
    const lines = [`# stack ${s}`, `program: p${s % 20}`];
    if (s % 10 !== 0) lines.push(`dependsOn: [stack-${pad(s - (s % 10))}]`);
    if (s % 3 === 0) lines.push(`description: "Stack ${s}, in quotes # not a comment"`);
    if (s % 4 === 0)
      lines.push('config:', `  p:replicas: ${s % 7}`, '  p:limits: { cpu: 100m, memory: 128Mi }', "  p:name: 'web' # a comment");
    if (s % 5 === 0) lines.push('drift:', '  policy: remediate', '  maxChanges: 3');
    if (s % 97 === 0) lines.push('approvals: &a', '  required: 2'); // an anchor: the full parser's
    if (s % 2 === 0) lines.push(`allowDestroy: ${s % 4 === 0}`);
    files[`stacks/stack-${pad(s)}.yaml`] = `${lines.join('\n')}\n`;
  }
  return files;
}

describe('loading a catalogue', () => {
  it('reads 400 stack files in name order, each exactly as the full YAML parser reads it', async () => {
    const files = catalogue();
    const layout = await repo(files);
    const { stacks } = await loadStacks(layout);
    expect(stacks.map((s) => s.name)).toEqual(
      Object.keys(files)
        .filter((f) => f.startsWith('stacks/'))
        .map((f) => path.basename(f, '.yaml'))
        .sort(),
    );
    for (const s of stacks) {
      const read = readYaml(files[s.file]!, defaultStackFileLimits);
      const { name, file, project, stack, programProject, ...fromFile } = s;
      expect({ name, fromFile }).toEqual({ name, fromFile: stackFileSchema.parse(read.value) });
      expect(programProject).toEqual({ program: fromFile.program, main: 'index.ts' });
      expect({ project, stack }).toEqual({ project: fromFile.program, stack: name });
    }
  });

  it('names a *.yaml that is not a regular file instead of blocking on it', async () => {
    const layout = await repo({ 'programs/app/index.ts': program, 'stacks/web.yaml': 'program: app\n' });
    execFileSync('mkfifo', [path.join(layout.stacksDir, 'pipe.yaml')]);
    const { stacks, diagnostics } = await inspectStacks(layout);
    expect(stacks.map((s) => s.name)).toEqual(['web']);
    expect(diagnostics).toEqual([{ file: 'stacks/pipe.yaml', message: 'not a regular file' }]);
  });
});
