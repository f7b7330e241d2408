import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Client, type S3Credentials } from './s3-client.js';

/** A SeaweedFS server with its S3 gateway on loopback, started by a test. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`: the S3 API. */
  endpoint: string;
  /** A bucket created at start. */
  bucket: string;
  /** The one identity the server accepts; anonymous and wrongly signed requests are refused. */
  credentials: S3Credentials;
  /** A client signed with {@link credentials}. */
  client: S3Client;
  /** The Pulumi backend URL of `bucket`: path-style addressing, no credentials in it. */
  backendUrl(bucket?: string): string;
  /** Environment for `gitops` on this store: `PULUMI_BACKEND_URL`, and the credentials as AWS variables. */
  env(bucket?: string): Record<string, string | undefined>;
  /** Timings of the start, in milliseconds: until the S3 API answered, and until the bucket existed. */
  startMs: { ready: number; bucket: number };
  /** Stops the server (SIGTERM, then SIGKILL after `graceMs`, default 5 s) and deletes its data. */
  stop(graceMs?: number): Promise<void>;
}

export interface S3ServerOptions {
  /** The `weed` binary (test/helpers/toolchain/seaweedfs.ts). */
  weed: string;
  bucket?: string;
  /** How long to wait for the S3 API to answer. */
  readyTimeoutMs?: number;
}

/** Free TCP ports on loopback, held together while they are chosen so they differ. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** SeaweedFS's identity file: one identity with every S3 action; with identities configured, anonymous access ends. */
function identityConfig(credentials: S3Credentials): string {
  return JSON.stringify({
    identities: [
      {
        name: 'gitops-test',
        credentials: [{ accessKey: credentials.accessKeyId, secretKey: credentials.secretAccessKey }],
        actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'],
      },
    ],
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/**
 * Stops `child`: SIGTERM, then SIGKILL if it is still running after `graceMs`. SeaweedFS takes
 * about 17 s to exit on SIGTERM: its filer waits 15 s to flush a metadata log to the volume
 * server, which has already stopped. The tests throw the data away, so they do not wait for it.
 */
async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/**
 * Starts `weed server -s3` (master, volume server, filer and S3 gateway in one process) on
 * loopback, with free ports, its data in a temporary folder, and one S3 identity with random
 * credentials; waits until the S3 API answers a signed request, then creates the bucket.
 */
export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      // Its ports are chosen free, but another process (a parallel test file's server) may bind
      // one before weed does: then it starts again on fresh ports.
      if (attempt >= 3 || !(err as Error).message.includes('address already in use')) throw err;
    }
  }
}

async function startOnce(options: S3ServerOptions): Promise<S3Server> {
  const bucket = options.bucket ?? 'gitops-state';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-s3-'));
  const data = path.join(dir, 'data');
  await mkdir(data);
  const credentials: S3Credentials = {
    accessKeyId: `GITOPS${randomBytes(7).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString('base64url'),
  };
  const configFile = path.join(dir, 's3.json');
  await writeFile(configFile, identityConfig(credentials), { mode: 0o600 });
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await freePorts(8);
  const args = [
    'server',
    `-dir=${data}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    // Small volumes: the default (30 GB each) is sized for production disks.
    '-master.volumeSizeLimitMB=64',
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    // The default waits 10 s before stopping, for load balancers to notice: none here.
    '-volume.preStopSeconds=0',
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    '-s3',
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    `-s3.config=${configFile}`,
    // Fixed default ports (8181, 9101) would clash between servers of parallel test files: off.
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
  ];
  const logFile = path.join(dir, 'weed.log');
  const log = createWriteStream(logFile);
  const started = Date.now();
  const child = spawn(options.weed, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const stop = async (graceMs = 5_000): Promise<void> => {
    await stopProcess(child, graceMs);
    log.end();
    await rm(dir, { recursive: true, force: true });
  };
  const endpoint = `http://127.0.0.1:${s3}`;
  const client = new S3Client(endpoint, credentials);
  try {
    await waitReady(client, child, options.readyTimeoutMs ?? 60_000);
    const ready = Date.now() - started;
    await client.createBucket(bucket);
    const startMs = { ready, bucket: Date.now() - started };
    const backendUrl = (b = bucket): string => `s3://${b}?endpoint=${encodeURIComponent(endpoint)}&use_path_style=true&region=us-east-1`;
    return {
      endpoint,
      bucket,
      credentials,
      client,
      backendUrl,
      env: (b = bucket) => ({
        PULUMI_BACKEND_URL: backendUrl(b),
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: 'us-east-1',
        // Nothing from the developer's own AWS setup may stand in for these credentials.
        AWS_PROFILE: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      }),
      startMs,
      stop,
    };
  } catch (err) {
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-40).join('\n');
    await stop(2_000);
    throw new Error(`SeaweedFS did not start (${(err as Error).message}); weed ${args.join(' ')}\n${tail}`, { cause: err });
  }
}

/** Polls a signed ListBuckets until it succeeds; fails at once if the server exits. */
async function waitReady(client: S3Client, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`weed exited (${child.exitCode ?? child.signalCode})`);
    try {
      const res = await client.send('GET', '/');
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the S3 API at ${client.endpoint} did not answer within ${timeoutMs / 1000}s (last: ${last})`);
}
