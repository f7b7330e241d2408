import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StackDiagnostic } from '../stacks/diagnostic.js';
import { parsePolicySettings } from './settings.js';

/**
 * The problems of the working tree's policy settings (`gitops.policies` in Pulumi.yaml) and of
 * the packs they name: a pack folder without its PulumiPolicy.yaml, package.json or lockfile.
 */
export async function policyProblems(root: string): Promise<StackDiagnostic[]> {
  const text = await readFile(path.join(root, 'Pulumi.yaml'), 'utf8').catch(() => undefined);
  const { settings, problems } = parsePolicySettings(text, 'Pulumi.yaml');
  const out: StackDiagnostic[] = problems.map((p) => ({ file: 'Pulumi.yaml', message: p.replace(/^Pulumi\.yaml: /, '') }));
  for (const pack of settings.packs.keys()) {
    const dir = path.join(root, 'policies', pack);
    if (!existsSync(dir)) {
      out.push({ file: 'Pulumi.yaml', field: `gitops.policies.${pack}`, message: `policy pack ${pack}: policies/${pack}/ does not exist` });
      continue;
    }
    for (const file of ['PulumiPolicy.yaml', 'package.json', 'package-lock.json']) {
      if (!existsSync(path.join(dir, file)))
        out.push({ file: `policies/${pack}/${file}`, message: `policy pack ${pack}: ${file} is missing` });
    }
  }
  return out;
}
