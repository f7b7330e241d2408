import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stackJsonSchema } from '../stacks/json-schema.js';
import { ciFiles, type Forge, firstProgram, firstStack, gitignoreEntries, programPackage, rootSettings } from './templates.js';

/** What `gitops init` is asked for. */
export interface InitOptions {
  /** The git repository's top folder, absolute. */
  root: string;
  /** The Pulumi project name. Default: the folder's name, made a valid name. */
  name?: string;
  /** A state backend URL for the root settings. */
  backend?: string;
  ci?: Forge;
  /** The CI template's text for `ci`. */
  ciTemplate?: string;
}

/** One file `gitops init` writes: new (`absent`), already there as init writes it (`same`), or there with other content (`different`). */
export interface PlannedFile {
  path: string;
  text: string;
  state: 'absent' | 'same' | 'different';
}

/** The whole plan: the files, and the `.gitignore` lines to add (none when all are there). */
export interface InitPlan {
  files: PlannedFile[];
  gitignoreAdd: string[];
}

/** A Pulumi project name from a folder name: letters, digits, `-`, `_` and `.`. */
export function projectNameOf(folder: string): string {
  const name = folder.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return name === '' ? 'infrastructure' : name;
}

/** Reads what is there and compares it with what init would write. Writes nothing. */
export function planInit(options: InitOptions): InitPlan {
  const wanted: [string, string][] = [
    ['Pulumi.yaml', rootSettings(options.name ?? projectNameOf(path.basename(options.root)), options.backend)],
    ['stacks/dev.yaml', firstStack('app')],
    ['stacks/stack.schema.json', `${JSON.stringify(stackJsonSchema(), null, 2)}\n`],
    ['programs/app/index.ts', firstProgram()],
    // The program is an ES module (`import`, `export default`): its folder says so, whatever the root's package.json says.
    ['programs/app/package.json', programPackage],
  ];
  if (options.ci && options.ciTemplate !== undefined) wanted.push([ciFiles[options.ci], options.ciTemplate]);
  const files = wanted.map(([rel, text]): PlannedFile => {
    const file = path.join(options.root, rel);
    if (!existsSync(file)) return { path: rel, text, state: 'absent' };
    return { path: rel, text, state: readFileSync(file, 'utf8') === text ? 'same' : 'different' };
  });
  const ignore = path.join(options.root, '.gitignore');
  const present = new Set(
    existsSync(ignore)
      ? readFileSync(ignore, 'utf8')
          .split(/\r?\n/)
          .map((l) => l.trim())
      : [],
  );
  const gitignoreAdd = gitignoreEntries.filter((e) => !present.has(e) && !present.has(e.replace(/\/$/, '')) && !present.has(`/${e}`));
  return { files, gitignoreAdd };
}
