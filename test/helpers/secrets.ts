import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { cacheRoot } from '../../src/toolchain/pulumi-cli.js';
import { pulumiCliEnv } from '../../src/toolchain/pulumi-home.js';

const run = promisify(execFile);

/**
 * Encrypts config values exactly as `pulumi config set --secret` does, with the real CLI, and
 * returns the stack file fields (`config` with `secure:` values, and `encryptionSalt`).
 */
export async function encryptConfig(
  project: string,
  stack: string,
  passphrase: string,
  values: Record<string, string>,
): Promise<{ config: Record<string, { secure: string }>; encryptionSalt: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-secrets-'));
  try {
    const pulumi = path.join(cacheRoot(process.env), 'bin', 'pulumi');
    const env = { ...pulumiCliEnv(process.env), PULUMI_CONFIG_PASSPHRASE: passphrase, PULUMI_BACKEND_URL: `file://${dir}` };
    await writeFile(path.join(dir, 'Pulumi.yaml'), `name: ${project}\nruntime: nodejs\n`);
    await run(pulumi, ['stack', 'init', stack, '--non-interactive'], { cwd: dir, env });
    for (const [key, value] of Object.entries(values)) {
      // Argument vectors carry newlines as they are, so multi-line values need no special path.
      await run(pulumi, ['config', 'set', '--secret', '--non-interactive', key, '--', value], { cwd: dir, env });
    }
    const settings = parse(await readFile(path.join(dir, `Pulumi.${stack}.yaml`), 'utf8')) as {
      encryptionsalt: string;
      config: Record<string, { secure: string }>;
    };
    return { config: settings.config, encryptionSalt: settings.encryptionsalt };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
