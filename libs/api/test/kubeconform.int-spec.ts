import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFINITIONS, toJsonSchema } from '../src/index.js';
import { EXAMPLES_DIR } from './crds.js';

// kubeconform validates the examples offline against JSON schemas generated from our own CRD definitions
// (the default schema location is GitHub; nothing is downloaded here).
let schemaDir: string;

beforeAll(() => {
  schemaDir = mkdtempSync(path.join(tmpdir(), 'agents-schemas-'));
  for (const def of DEFINITIONS) {
    const dir = path.join(schemaDir, def.info.group);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, `${def.info.kind.toLowerCase()}_${def.info.version}.json`),
      JSON.stringify(toJsonSchema(def), null, 2),
    );
  }
});

function kubeconform(...files: string[]) {
  return spawnSync(
    'kubeconform',
    [
      '-strict',
      '-summary',
      '-schema-location',
      `${schemaDir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
      ...files,
    ],
    { encoding: 'utf8' },
  );
}

it('is the pinned kubeconform', () => {
  expect(execFileSync('kubeconform', ['-v'], { encoding: 'utf8' })).toMatch(/v0\.7\.0/);
});

it('validates every example offline', () => {
  const res = kubeconform(EXAMPLES_DIR);
  expect({ status: res.status, out: res.stdout + res.stderr }).toEqual({
    status: 0,
    out: expect.stringMatching(/Invalid: 0, Errors: 0/),
  });
  expect(res.stdout).toMatch(/Valid: (2[4-9]|[3-9]\d)/);
});

it('fails an example with a wrong field, naming it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'agents-bad-'));
  const file = path.join(dir, 'bad.yaml');
  writeFileSync(
    file,
    'apiVersion: agents.proompteng.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: bad}\nspec:\n  agentRef: {name: a}\n  implementationSpecRef: {name: i}\n  runtime: {type: lambda}\n  retries: 3\n',
  );
  const res = kubeconform(file);
  expect(res.status).toBe(1);
  expect(res.stdout).toMatch(/\/spec\/runtime\/type/);
  expect(res.stdout).toMatch(/retries/);
});
