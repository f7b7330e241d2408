import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

/**
 * The demo's app stack: a static site's files and its server config. It reads the platform
 * settings from the base stack through a StackReference, so it must deploy after it.
 */
export default async function program(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const title = config.require('title');
  const replicas = config.getNumber('replicas') ?? 1;
  const apiToken = config.requireSecret('apiToken');
  const baseStack = config.require('platformStack');
  const platform = new pulumi.StackReference(baseStack);
  const hostname = platform.getOutput('hostname');
  const port = platform.getOutput('basePort').apply((p) => Number(p) + 1);
  const dir = demoDir(pulumi.getStack());

  const page = new LocalFile('index-html', {
    path: `${dir}/index.html`,
    content: `<!doctype html>\n<title>${title}</title>\n<h1>${title}</h1>\n`,
  });
  const server = new LocalFile('server-config', {
    path: `${dir}/server.json`,
    content: pulumi.interpolate`{"listen": "${hostname}:${port}", "replicas": ${replicas}, "root": "${dir}"}\n`,
  });
  new LocalFile('credentials', {
    path: `${dir}/credentials`,
    content: pulumi.interpolate`API_TOKEN=${apiToken}\n`,
    mode: '600',
  });
  return { url: pulumi.interpolate`http://${hostname}:${port}/`, page: page.path, serverConfig: server.path };
}
