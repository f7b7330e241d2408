import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';

/**
 * A file on this machine, managed by a Pulumi dynamic provider. It is the demo's stand-in
 * for cloud resources: real to the engine (create, read for refresh, diff, update, replace,
 * delete), and easy to change out of band by editing the file.
 *
 * - `content` changes update the file in place.
 * - `path` and `mode` changes replace it: a file with other permissions is recreated (so an
 *   out-of-band `chmod` is a drift whose fix needs a replace).
 * - A file deleted out of band reads back as gone.
 *
 * The provider's functions are serialized into state and run in the provider host, so they
 * import what they need themselves.
 */
export interface LocalFileArgs {
  path: pulumi.Input<string>;
  content: pulumi.Input<string>;
  /** Octal permission bits, e.g. "644". */
  mode?: pulumi.Input<string>;
}

interface FileState {
  path: string;
  content: string;
  mode: string;
}

const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: FileState) {
    const fs = await import('node:fs/promises');
    const p = await import('node:path');
    await fs.mkdir(p.dirname(inputs.path), { recursive: true });
    await fs.writeFile(inputs.path, inputs.content, { mode: parseInt(inputs.mode, 8) });
    await fs.chmod(inputs.path, parseInt(inputs.mode, 8));
    return { id: inputs.path, outs: { path: inputs.path, content: inputs.content, mode: inputs.mode } };
  },
  async read(id: string, props: FileState) {
    const fs = await import('node:fs/promises');
    try {
      const [content, stat] = await Promise.all([fs.readFile(id, 'utf8'), fs.stat(id)]);
      const mode = (stat.mode & 0o777).toString(8);
      return { id, props: { ...props, path: id, content, mode } };
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return { id: '', props: {} };
      throw err;
    }
  },
  async diff(_id: string, olds: FileState, news: FileState) {
    const changed = (['path', 'content', 'mode'] as const).filter((k) => olds[k] !== news[k]);
    const replaces = changed.filter((k) => k === 'path' || k === 'mode');
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: true };
  },
  async update(_id: string, _olds: FileState, news: FileState) {
    const fs = await import('node:fs/promises');
    await fs.writeFile(news.path, news.content);
    return { outs: { path: news.path, content: news.content, mode: news.mode } };
  },
  async delete(id: string) {
    const fs = await import('node:fs/promises');
    await fs.rm(id, { force: true });
  },
};

export class LocalFile extends pulumi.dynamic.Resource {
  declare readonly path: pulumi.Output<string>;
  declare readonly content: pulumi.Output<string>;
  declare readonly mode: pulumi.Output<string>;

  constructor(name: string, args: LocalFileArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { path: args.path, content: args.content, mode: args.mode ?? '644' }, opts, 'gitops:demo:LocalFile');
  }
}

/** Where the demo's files live: `.gitops/demo/<stack>/`, an ignored folder inside the repository. */
export function demoDir(stack: string): string {
  return fileURLToPath(new URL(`../../.gitops/demo/${stack}`, import.meta.url));
}
