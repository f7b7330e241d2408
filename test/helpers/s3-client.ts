import { createHash, createHmac } from 'node:crypto';

/** An access key pair for an S3 API. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What an S3 request came back with. */
export interface S3Response {
  status: number;
  body: string;
}

const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, as Signature Version 4 wants it (encodeURIComponent leaves !'()* alone). */
const encode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The `Authorization` and `x-amz-*` headers of AWS Signature Version 4 for one request
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). The tests have
 * no AWS SDK; this small signer is enough to talk to the S3 server they start.
 */
export function signV4(
  request: { method: string; url: URL; body: string; region: string; now?: Date },
  credentials: S3Credentials,
): Record<string, string> {
  const { method, url, body, region } = request;
  const amzDate = (request.now ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const headers: Record<string, string> = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const signedHeaders = Object.keys(headers).sort();
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    method,
    url.pathname
      .split('/')
      .map((seg) => encode(decodeURIComponent(seg)))
      .join('/'),
    query,
    ...signedHeaders.map((h) => `${h}:${headers[h]}`),
    '',
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = ['s3', 'aws4_request'].reduce<Buffer>(
    (k, part) => hmac(k, part),
    hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region),
  );
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const credential = `${credentials.accessKeyId}/${scope}`;
  return {
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
    authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
}

/** A path-style S3 client for one endpoint: just the calls the tests make. */
export class S3Client {
  constructor(
    readonly endpoint: string,
    private readonly credentials: S3Credentials | undefined,
    readonly region = 'us-east-1',
  ) {}

  /**
   * One request; unsigned when the client has no credentials (to show that anonymous access is
   * refused). `extra` headers (such as `If-Match`) are sent unsigned, which SigV4 allows.
   */
  async send(method: string, pathAndQuery: string, body = '', extra: Record<string, string> = {}): Promise<S3Response> {
    const url = new URL(pathAndQuery, this.endpoint);
    const headers = { ...extra, ...(this.credentials ? signV4({ method, url, body, region: this.region }, this.credentials) : {}) };
    const res = await fetch(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body });
    return { status: res.status, body: await res.text() };
  }

  /** Creates a bucket; throws unless the server says it did (or that we own it already). */
  async createBucket(bucket: string): Promise<void> {
    const res = await this.send('PUT', `/${bucket}`);
    if (res.status !== 200 && !res.body.includes('BucketAlreadyOwnedByYou')) {
      throw new Error(`creating bucket ${bucket} failed: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    }
  }

  /** The keys of every object under `prefix` (ListObjectsV2, following continuation tokens). */
  async listKeys(bucket: string, prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const params = new URLSearchParams({ 'list-type': '2', prefix });
      if (token) params.set('continuation-token', token);
      const res = await this.send('GET', `/${bucket}?${params.toString()}`);
      if (res.status !== 200) throw new Error(`listing s3://${bucket}/${prefix} failed: HTTP ${res.status} ${res.body.slice(0, 300)}`);
      keys.push(...[...res.body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1]!)));
      token = /<IsTruncated>true<\/IsTruncated>/.test(res.body) ? /<NextContinuationToken>([^<]*)</.exec(res.body)?.[1] : undefined;
    } while (token);
    return keys;
  }

  /** An object's content as text; throws unless it is there. */
  async getText(bucket: string, key: string): Promise<string> {
    const res = await this.send('GET', `/${bucket}/${key}`);
    if (res.status !== 200) throw new Error(`reading s3://${bucket}/${key} failed: HTTP ${res.status}`);
    return res.body;
  }

  /** Writes an object (replacing any); throws unless the server took it. */
  async putText(bucket: string, key: string, text: string): Promise<void> {
    const res = await this.send('PUT', `/${bucket}/${key}`, text);
    if (res.status !== 200) throw new Error(`writing s3://${bucket}/${key} failed: HTTP ${res.status}`);
  }
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
