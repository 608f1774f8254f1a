import { TestNamespace, eventually, testKubeConfig } from '@agents/testing';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startControllers } from './harness.js';

// The startup guard: the controllers refuse to start, naming what is wrong and how to fix it, when a CRD they need
// is missing or managed by Crossplane.
const CRD = 'versioncontrolproviders.agents.proompteng.ai';
const CRD_FILE = path.resolve(
  import.meta.dirname,
  '../../../charts/agents/crds/agents.proompteng.ai_versioncontrolproviders.yaml',
);
const kubectl = (...args: string[]) =>
  execFileSync('kubectl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let ns: TestNamespace;

beforeAll(async () => {
  ns = await TestNamespace.create(testKubeConfig(), 'ctl-guard');
});

afterAll(async () => {
  kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=agents-tests', '-f', CRD_FILE);
  kubectl('label', 'crd', CRD, 'crossplane.io/claim-name-');
  await eventually(() => kubectl('wait', '--for=condition=Established', `crd/${CRD}`, '--timeout=5s'), {
    what: 'the CRD to be back',
  });
  await ns.delete();
});

it('exits non-zero naming a missing CRD and the command that installs it', async () => {
  kubectl('delete', 'crd', CRD, '--wait=true');
  const proc = await startControllers({ namespaces: [ns.name], waitReady: false });
  const code = await proc.exited;
  expect(code).toBe(1);
  expect(proc.logs()).toContain(`missing CRDs: ${CRD}`);
  expect(proc.logs()).toContain('kubectl apply --server-side -f charts/agents/crds/');
}, 60_000);

it('exits non-zero when a CRD is managed by Crossplane, pointing at the uninstall note', async () => {
  kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=agents-tests', '-f', CRD_FILE);
  kubectl('label', 'crd', CRD, 'crossplane.io/claim-name=agents', '--overwrite');
  const proc = await startControllers({ namespaces: [ns.name], waitReady: false });
  expect(await proc.exited).toBe(1);
  expect(proc.logs()).toContain(`CRDs managed by Crossplane: ${CRD}`);
  expect(proc.logs()).toContain('the README\'s "Uninstalling a Crossplane-based install"');
}, 60_000);
