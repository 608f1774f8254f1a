import { TestNamespace, createTestDatabase, eventually, testKubeConfig, type TestDatabase } from '@agents/testing';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startControlPlane } from './harness.js';

// The control plane's CRD guard: definitions managed by Crossplane make it refuse to start, naming them and the
// README's note; a missing CRD keeps it running but not ready (503 naming it) until the CRD is installed.
const CRD = 'signaldeliveries.signals.proompteng.ai';
const CRD_FILE = path.resolve(
  import.meta.dirname,
  '../../../charts/agents/crds/signals.proompteng.ai_signaldeliveries.yaml',
);
const kubectl = (...args: string[]) =>
  execFileSync('kubectl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const installCrd = () => {
  kubectl('apply', '--server-side', '--force-conflicts', '--field-manager=agents-tests', '-f', CRD_FILE);
  kubectl('wait', '--for=condition=Established', `crd/${CRD}`, '--timeout=30s');
};
let db: TestDatabase;
let ns: TestNamespace;

beforeAll(async () => {
  db = await createTestDatabase('cp_guard');
  ns = await TestNamespace.create(testKubeConfig(), 'cp-guard');
});

afterAll(async () => {
  installCrd();
  kubectl('label', 'crd', CRD, 'crossplane.io/claim-name-');
  await ns?.delete();
  await db?.drop();
});

it('refuses to start when a CRD is managed by Crossplane, naming it and the uninstall note', async () => {
  kubectl('label', 'crd', CRD, 'crossplane.io/claim-name=agents', '--overwrite');
  try {
    const cp = await startControlPlane({ databaseUrl: db.url, namespaces: [ns.name], waitReady: false });
    expect(await cp.exited).toBe(1);
    expect(cp.logs()).toContain(`CRDs managed by Crossplane: ${CRD}`);
    expect(cp.logs()).toContain('Uninstalling a Crossplane-based install');
  } finally {
    kubectl('label', 'crd', CRD, 'crossplane.io/claim-name-');
  }
}, 60_000);

it('stays up but not ready while a CRD is missing, and becomes ready once it is installed', async () => {
  kubectl('delete', 'crd', CRD, '--wait=true');
  const cp = await startControlPlane({ databaseUrl: db.url, namespaces: [ns.name], waitReady: false });
  try {
    await eventually(async () => {
      const res = await fetch(`${cp.url}/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { reasons: string[] };
      expect(body.reasons.join(' ')).toContain(`missing CRDs: ${CRD}`);
      expect(body.reasons.join(' ')).toContain('kubectl apply --server-side -f charts/agents/crds/');
    });
    expect((await fetch(`${cp.url}/health`)).status).toBe(200);
    installCrd();
    await eventually(async () => expect((await fetch(`${cp.url}/ready`)).status).toBe(200), {
      timeoutMs: 30_000,
      what: 'the control plane to notice the CRD and become ready',
    });
  } finally {
    await cp.kill();
  }
}, 90_000);
