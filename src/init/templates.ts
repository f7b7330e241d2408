/** The forges `gitops init --ci` writes a pipeline for, and where each one's file goes. */
export const ciFiles = { gitlab: '.gitlab-ci.yml', github: '.github/workflows/gitops.yml' } as const;

/** A forge `gitops init --ci` knows. */
export type Forge = keyof typeof ciFiles;

/** The lines `gitops init` makes sure `.gitignore` has. */
export const gitignoreEntries = ['node_modules/', '.gitops/', '.cache/'];

/** The root Pulumi.yaml: the project name, and where state and secrets go. */
export function rootSettings(name: string, backend?: string): string {
  return [
    "# The repository's Pulumi settings, read by gitops (each stack runs in its own generated",
    '# workspace under .gitops/).',
    `name: ${name}`,
    'runtime: nodejs',
    '# The state backend. PULUMI_BACKEND_URL overrides it. Without either, state is kept in',
    '# .gitops/state (ignored by git): fine on one machine, refused in CI.',
    ...(backend ? ['backend:', `  url: ${backend}`] : ['# backend:', '#   url: s3://my-state-bucket?region=eu-west-1']),
    '# Secrets: each stack file names its secrets provider (`secretsProvider`, default: the',
    '# passphrase in PULUMI_CONFIG_PASSPHRASE; `secrets: { passphraseEnv: NAME }` picks another',
    '# variable, e.g. for production).',
    '',
  ].join('\n');
}

/** The first stack file: the program it runs and one config value. */
export function firstStack(program: string): string {
  return [
    '# yaml-language-server: $schema=./stack.schema.json',
    `# One file per stack: the file name (dev) is the stack's id. Every field: docs/stacks.md of pulumi-gitops.`,
    `program: ${program}`,
    'description: The first stack, made by gitops init.',
    'config:',
    `  ${program}:greeting: hello`,
    '',
  ].join('\n');
}

/** The first program: no cloud, one stack output from config. */
export function firstProgram(): string {
  return [
    "import * as pulumi from '@pulumi/pulumi';",
    '',
    '/** The stack outputs come from what the program returns. Resources go here. */',
    'export default async function program() {',
    '  const config = new pulumi.Config();',
    "  return { greeting: config.get('greeting') ?? 'hello', stack: pulumi.getStack() };",
    '}',
    '',
  ].join('\n');
}

/** The first program's package.json: an ES module, private; its dependencies come from the repository's root. */
export const programPackage = `${JSON.stringify({ name: 'app', private: true, type: 'module' }, null, 2)}\n`;

/**
 * The set-up lines of a CI template: its leading comment block from the line that starts the
 * list of variables and secrets, which names every token, role and variable the pipeline needs.
 */
export function ciSetupLines(template: string): string[] {
  const header: string[] = [];
  for (const line of template.split('\n')) {
    if (!line.startsWith('#')) break;
    header.push(line.replace(/^# ?/, ''));
  }
  const start = header.findIndex((l) => /variables|secrets/i.test(l) && l.trimEnd().endsWith(':'));
  return start < 0 ? header : header.slice(start);
}
