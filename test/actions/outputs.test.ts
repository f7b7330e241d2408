import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackOutputs } from '../../src/actions/outputs.js';
import { renderOutputsJson, renderOutputsText } from '../../src/cli/commands/outputs.js';
import { testContext } from '../helpers/action-context.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

let repo: GitRepo;
beforeAll(async () => {
  repo = await createGitRepo(repoFiles({ web: stackFile({}), api: stackFile({}) }));
});
afterAll(async () => repo.dispose());

const outputs = {
  url: { value: 'http://x/', secret: false },
  token: { value: 'hunter2-xyz', secret: true },
  n: { value: 2, secret: false },
};

describe('gitops outputs', () => {
  it('GIVEN a deployed stack WHEN its outputs are read THEN secrets come back as [secret], in name order', async () => {
    const { ctx, engine } = await testContext(repo.dir);
    engine.stackOutputs.set('web', outputs);
    const result = await stackOutputs(ctx, { stack: 'web', showSecrets: false });
    expect(result).toEqual({
      stack: 'web',
      deployed: true,
      outputs: [
        { name: 'n', value: 2, secret: false },
        { name: 'token', value: '[secret]', secret: true },
        { name: 'url', value: 'http://x/', secret: false },
      ],
    });
    expect(engine.opened).toEqual([['web']]);
    expect(renderOutputsText(result)).toBe('n: 2\ntoken: [secret]\nurl: http://x/\n');
    expect(JSON.parse(renderOutputsJson(result))).toEqual({
      stack: 'web',
      deployed: true,
      outputs: { n: 2, token: '[secret]', url: 'http://x/' },
      secrets: ['token'],
    });
  });

  it('GIVEN --show-secrets THEN the secret value is returned', async () => {
    const { ctx, engine } = await testContext(repo.dir);
    engine.stackOutputs.set('web', outputs);
    const result = await stackOutputs(ctx, { stack: 'web', showSecrets: true });
    expect(result.outputs.find((o) => o.name === 'token')).toEqual({ name: 'token', value: 'hunter2-xyz', secret: true });
  });

  it('GIVEN a stack never deployed THEN it says so, with no outputs', async () => {
    const { ctx } = await testContext(repo.dir);
    const result = await stackOutputs(ctx, { stack: 'api', showSecrets: false });
    expect(result).toEqual({ stack: 'api', deployed: false, outputs: [] });
    expect(renderOutputsText(result)).toContain('never deployed');
  });

  it('GIVEN a mistyped stack THEN STACK_UNKNOWN names the nearest one, and no engine opens', async () => {
    const { ctx, engine } = await testContext(repo.dir);
    await expect(stackOutputs(ctx, { stack: 'wbe', showSecrets: false })).rejects.toMatchObject({
      code: 'STACK_UNKNOWN',
      details: ['"wbe" -> did you mean "web"?'],
    });
    expect(engine.opened).toEqual([]);
  });
});
