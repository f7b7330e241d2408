import { readFileSync } from 'node:fs';
import { getConfig, setConfig } from '../../actions/config.js';
import { userError } from '../../errors/gitops-error.js';
import { type CliEnv, printRevealing } from '../io.js';
import type { ConfigGetArgs, ConfigSetArgs } from '../options/repository.js';
import { openRepo } from '../repo.js';
import { stdinValue } from '../stdin-values.js';

/** `gitops config set`: writes one config value into a stack file. VALUE `-` is read from stdin (one trailing newline dropped). */
export async function configSetCommand(args: ConfigSetArgs, cli: CliEnv): Promise<number> {
  const fromStdin = args.value === stdinValue;
  const value = fromStdin ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : args.value;
  if (args.secret && !fromStdin) {
    cli.io.stderr('warning: a secret given on the command line can stay in the shell history; pass - and give it on stdin\n');
  }
  const { layout, catalog } = await openRepo(cli, args);
  const r = await setConfig(
    { layout, catalog, env: cli.env },
    { stack: String(args.stack), key: String(args.key), value, secret: args.secret },
  );
  cli.io.stderr(`${r.file}: set config ${r.key}${r.secret ? ' (secret, encrypted)' : ''}${r.saltAdded ? '; added encryptionSalt' : ''}\n`);
  return 0;
}

/** `gitops config get`: prints one config value on stdout; a secret only with --show-secrets. */
export async function configGetCommand(args: ConfigGetArgs, cli: CliEnv): Promise<number> {
  const { layout, catalog } = await openRepo(cli, args);
  const r = await getConfig(
    { layout, catalog, env: cli.env },
    { stack: String(args.stack), key: String(args.key), showSecrets: args.showSecrets },
  );
  if (r.value === undefined)
    throw userError('USAGE', `${r.file}: config ${r.key} is a secret`, 'pass --show-secrets to decrypt and print it');
  // Asked for by name (a secret by --show-secrets): printed through the one way that reveals.
  const token = '\u0000gitops-config-value\u0000';
  printRevealing(cli, `${token}\n`, new Map([[token, r.value]]));
  return 0;
}
