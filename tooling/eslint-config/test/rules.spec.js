import { ESLint } from 'eslint';
import { createConfig } from '../index.js';

// Lints virtual files placed where the rules care about them (paths are relative to the repository root).
async function lint(filePath, code) {
  const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: createConfig(), cwd: '/repo' });
  const [result] = await eslint.lintText(code, { filePath: `/repo/${filePath}` });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('architecture rules', () => {
  it.each([
    ['a package import of another app', "import { x } from '@agents/control-plane';"],
    ['a deep package import of another app', "import { x } from '@agents/agentctl/src/cli.js';"],
    ['an import through the apps folder', "import { x } from '../../../apps/agent-runner/src/main.js';"],
    [
      'a relative import into another app',
      "import { x } from '../../control-plane/src/app.module.js';\nexport const y = x;",
    ],
  ])('fails the build on %s from an app', async (_name, code) => {
    const messages = await lint('apps/controllers/src/main.ts', `${code}\nexport const y = x;`);
    expect(messages.join('\n')).toMatch(/no-restricted-imports: .*Apps never import each other/);
  });

  it('lets apps import libraries', async () => {
    expect(await lint('apps/controllers/src/main.ts', "import { x } from '@agents/api';\nexport const y = x;")).toEqual(
      [],
    );
  });

  it.each([
    ['a member read', 'export const port = process.env.PORT;'],
    ['a destructuring read', 'const { env } = process;\nexport const port = env.PORT;'],
    ['an import of env', "import { env } from 'node:process';\nexport const port = env.PORT;"],
  ])('rejects %s of process.env outside an app config folder', async (_name, code) => {
    const messages = await lint('apps/controllers/src/runtime/queue.ts', code);
    expect(messages.join('\n')).toMatch(/Read process\.env only in the app's src\/config\//);
  });

  it('allows process.env inside an app config folder', async () => {
    expect(
      await lint('apps/controllers/src/config/controllers.config.ts', 'export const port = process.env.PORT;'),
    ).toEqual([]);
  });

  it('rejects process.env in libraries too', async () => {
    const messages = await lint('libs/kube/src/client.ts', 'export const k = process.env.KUBECONFIG;');
    expect(messages.join('\n')).toMatch(/Read process\.env only/);
  });
});
