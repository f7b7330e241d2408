import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { ensureEtcd, ensureKubeApiServer } from './toolchain/kube-apiserver.js';

/** A running etcd + kube-apiserver on loopback: no nodes, no controllers, AlwaysAllow authorization. */
export interface KubeCluster {
  /** Path of a kubeconfig for it (token auth, the server's own CA). */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** From spawning etcd until `/readyz` answered OK. */
  startupMs: number;
  /** Process ids of etcd and kube-apiserver. */
  pids: number[];
  /** The temp folder holding data, certificates and the two logs (etcd.log, kube-apiserver.log). */
  dir: string;
  /** Stops both processes (SIGTERM, then SIGKILL after 10 s) and removes the folder. */
  stop(): Promise<void>;
}

const log = (line: string): void => void process.stderr.write(`[kube-cluster] ${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startProcess(binary: string, args: string[], logFile: string): ChildProcess {
  const out = createWriteStream(logFile);
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited.finally(() => clearTimeout(timer));
}

/** Resolves with the HTTP status of GET `url`, or 0 when nothing answers yet. */
function probe(url: string, token?: string): Promise<number> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
    // Only a readiness probe of our own loopback server: the kubeconfig pins its CA.
    const req = request(url, { headers, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitFor(what: string, url: string, children: ChildProcess[], logs: string[], token?: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await probe(url, token)) !== 200) {
    const dead = children.findIndex((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead >= 0 || Date.now() > deadline) {
      const logFile = logs[dead >= 0 ? dead : children.length - 1]!;
      const tail = existsSync(logFile) ? await readFile(logFile, 'utf8') : '';
      throw new Error(
        `${what} did not become ready (${dead >= 0 ? 'process exited' : 'timeout'}):\n${tail.split('\n').slice(-30).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts etcd and kube-apiserver on free loopback ports in a temp folder, waits for `/readyz`,
 * and writes a kubeconfig. Without nodes or controllers nothing becomes ready or gets garbage
 * collected: stacks need `pulumi.com/skipAwait: "true"` and background deletion.
 */
export async function startKubeCluster(): Promise<KubeCluster> {
  const [etcd, apiserver] = await Promise.all([ensureEtcd(process.env, log), ensureKubeApiServer(process.env, log)]);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kube-cluster-'));
  const [clientPort, peerPort, securePort] = await Promise.all([freePort(), freePort(), freePort()]);
  const token = randomBytes(24).toString('hex');
  const saKey = path.join(dir, 'sa.key');
  await writeFile(saKey, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(path.join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`);

  const etcdUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const server = `https://127.0.0.1:${securePort}`;
  const logs = [path.join(dir, 'etcd.log'), path.join(dir, 'kube-apiserver.log')];
  const children: ChildProcess[] = [];
  const killAll = (): void => {
    for (const c of children) c.kill('SIGKILL');
  };
  // A test process that dies without stop() must not leave servers behind.
  process.once('exit', killAll);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killAll);
    for (const child of [...children].reverse()) await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };

  const started = Date.now();
  try {
    children.push(
      startProcess(
        etcd.binary,
        [
          '--name=test',
          `--data-dir=${path.join(dir, 'etcd')}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=test=${peerUrl}`,
          '--log-level=warn',
        ],
        logs[0]!,
      ),
    );
    await waitFor(`etcd ${etcd.version}`, `${etcdUrl}/health`, children, logs);
    children.push(
      startProcess(
        apiserver.binary,
        [
          `--etcd-servers=${etcdUrl}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${securePort}`,
          `--cert-dir=${path.join(dir, 'certs')}`,
          `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
          '--authorization-mode=AlwaysAllow',
          `--service-account-issuer=${server}`,
          `--service-account-key-file=${saKey}`,
          `--service-account-signing-key-file=${saKey}`,
          '--service-cluster-ip-range=10.96.0.0/16',
          // Pods would wait for the "default" ServiceAccount, which only kube-controller-manager creates.
          '--disable-admission-plugins=ServiceAccount',
          '--enable-priority-and-fairness=false',
          '--profiling=false',
          '--v=1',
        ],
        logs[1]!,
      ),
    );
    await waitFor(`kube-apiserver ${apiserver.version}`, `${server}/readyz`, children, logs, token);
  } catch (err) {
    await stop();
    throw err;
  }
  const startupMs = Date.now() - started;

  // The self-signed serving certificate the apiserver wrote, followed by its own CA.
  const ca = await readFile(path.join(dir, 'certs', 'apiserver.crt'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'test',
      clusters: [{ name: 'test', cluster: { server, 'certificate-authority-data': ca.toString('base64') } }],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin' } }],
    }),
  );
  log(
    `etcd ${etcd.version} (${etcd.source}) and kube-apiserver v${apiserver.version} (${apiserver.source}) ready at ${server} in ${startupMs} ms`,
  );
  return { kubeconfig, server, startupMs, dir, pids: children.map((c) => c.pid!), stop };
}
