import { spawnSync } from 'node:child_process';
import path from 'node:path';

// hack/lint-dockerfiles (the static check of the three images, run by hack/test) on the repository and on a
// Dockerfile that breaks its rules.
const repo = path.resolve(import.meta.dirname, '../../..');
const lint = (...files: string[]) =>
  spawnSync(process.execPath, [path.join(repo, 'hack/lint-dockerfiles'), ...files], { encoding: 'utf8' });

it('passes the Dockerfiles of the three apps and the root .dockerignore', () => {
  const r = lint();
  expect(r.stdout).toContain('3 Dockerfiles checked, 0 problems');
  expect(r.status).toBe(0);
});

it('reports every broken rule with its line', () => {
  const r = lint(path.join(import.meta.dirname, 'fixtures/bad.Dockerfile'));
  expect(r.status).toBe(1);
  const found = r.stdout
    .split('\n')
    .map((l) => /Dockerfile:(\d+): ([a-z-]+):/.exec(l))
    .filter((m) => m !== null)
    .map((m) => `${m[1]} ${m[2]}`);
  expect(found.sort()).toEqual(
    [
      '2 toolchain-version',
      '3 pinned-base',
      '4 no-secrets',
      '5 no-add-url',
      '6 frozen-lockfile',
      '3 multi-stage',
      '1 prod-deps',
      '7 non-root',
      '3 node-env',
      '8 exec-form',
      '3 healthcheck',
    ].sort(),
  );
});
