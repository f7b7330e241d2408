import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

/**
 * The demo's base stack: the shared settings of a small local "platform" (a port range and a
 * hostname), written as a file and exported for the stacks that depend on it.
 */
export default async function program(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const hostname = config.get('hostname') ?? 'localhost';
  const basePort = config.getNumber('basePort') ?? 8080;
  const dir = demoDir(pulumi.getStack());
  const settings = new LocalFile('platform-settings', {
    path: `${dir}/platform.json`,
    content: `${JSON.stringify({ hostname, basePort }, null, 2)}\n`,
  });
  return { hostname, basePort, settingsFile: settings.path };
}
