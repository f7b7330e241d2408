// The layers of src/, checked by `npm run lint` (dependency-cruiser). Each folder of src/ is one
// layer; a folder imports only folders below it in `layers`, so folders can never form a cycle.
// CONTRIBUTING.md explains what each folder holds.
/** Bottom first. */
const layers = [
  'errors', // the one error type, its codes and kinds, and the exit code of each kind
  'lib', // generic helpers that know nothing of Pulumi or GitOps
  'secrets', // redaction: the secret values a run knows, in every encoding
  'repo', // the repository's layout and root settings
  'git',
  'forge', // GitLab and GitHub clients
  'toolchain', // the Pulumi CLI and plugins, installed and cached
  'config', // stack config values and their encryption
  'stacks', // stack files: schema, loading, ignore rules
  'processes', // the machine's process table, process groups, reaping
  'backend', // where state lives: file and S3 backend addresses
  'state-lock', // stack locks on the backend, and who holds them
  'backend-state', // stack records read straight from the backend
  'program-host', // the process a stack program runs in
  'engine', // one stack operation through the Automation API, typed events, recovery
  'affected', // which stacks a change touches
  'schedule', // selection, ordering and running of many stacks
  'api', // the context actions and flows run in, and the results they return
  'policy', // CrossGuard policy packs, and the checks they add to a run
  'report', // renderers: console, Markdown, JSON (pure)
  'update-plans', // Pulumi update plans: saved at preview, enforced at deploy
  'merge-request', // the merge-request flows: preview, approvals, deploy on merge, deploy since deployed
  'drift', // the drift flow: detection, remediation, alerts, history
  'init', // scaffolding a repository
  'actions', // one entry per command, composing the flows below
  'cli', // arguments in, exit code out
];

const above = (i) => layers.slice(i + 1).join('|');
const layerRules = layers.slice(0, -1).map((name, i) => ({
  name: `layer-${name}`,
  comment: `src/${name}/ may import only the layers below it: ${layers.slice(0, i).join(', ') || 'none'}.`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${above(i)})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'cli-through-actions',
      comment:
        'The CLI reaches only actions, renderers (report), errors and generic helpers (lib); it may name the types of the results it renders.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: {
        path: '^src/',
        pathNot: '^src/(cli|actions|report|errors|lib)/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'no-circular',
      comment: 'No module imports itself through others.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'layer-unknown',
      comment: 'Every folder of src/ is a layer listed in .dependency-cruiser.cjs.',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${layers.join('|')})/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
