#!/usr/bin/env node
// `npm run demo`: the whole GitOps loop on the built-in local demo, end to end, on a fresh
// clone: validate, deploy, an out-of-band edit, drift detection (exit 3), remediation, and a
// clean drift check. The demo stacks' secret was encrypted with the demo passphrase
// "gitops-demo", which is used when no passphrase is set.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
if (env.PULUMI_CONFIG_PASSPHRASE === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) {
  env.PULUMI_CONFIG_PASSPHRASE = 'gitops-demo';
  console.error('demo: using the demo passphrase "gitops-demo" (PULUMI_CONFIG_PASSPHRASE was not set)');
}
// The demo keeps its state in .gitops/state on purpose; in CI (CI=true) gitops refuses such a
// state unless told it may vanish with the job.
if (env.CI === 'true' && env.GITOPS_ALLOW_EPHEMERAL_STATE === undefined) {
  env.GITOPS_ALLOW_EPHEMERAL_STATE = '1';
  console.error('demo: CI=true, so GITOPS_ALLOW_EPHEMERAL_STATE=1: the demo state in .gitops/state is thrown away with the job');
}

function step(title, args, expected) {
  console.error(`\n=== ${title}\n$ gitops ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'gitops.js'), ...args], { cwd: root, env, stdio: 'inherit' });
  if (r.status !== expected) {
    console.error(`demo: expected exit ${expected}, got ${r.status}`);
    process.exit(1);
  }
}

step('1. Validate the stack definitions', ['validate'], 0);
step('2. Deploy every stack, in dependency order', ['deploy', '--all'], 0);
const serverConfig = path.join(root, '.gitops', 'demo', 'demo-web', 'server.json');
console.error(`\n=== 3. Someone edits ${path.relative(root, serverConfig)} by hand`);
console.error(`before: ${readFileSync(serverConfig, 'utf8').trim()}`);
writeFileSync(serverConfig, '{"listen": "0.0.0.0:9999", "replicas": 0}\n');
console.error(`after:  ${readFileSync(serverConfig, 'utf8').trim()}`);
step('4. The drift job finds it (exit 3: drift left in place, demo-web only detects)', ['drift', '--all'], 3);
step('5. Remediate: refresh, then up, so the environment converges on Git', ['drift', '--all', '--remediate'], 0);
console.error(`restored: ${readFileSync(serverConfig, 'utf8').trim()}`);
step('6. A second drift check is clean', ['drift', '--all'], 0);
console.error('\ndemo: done. State is in .gitops/state, the managed files in .gitops/demo (both ignored by git).');
