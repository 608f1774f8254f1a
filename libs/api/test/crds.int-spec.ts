import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { testKubeConfig } from '@agents/testing';
import { DEFINITIONS, crdName } from '../src/index.js';
import { installCrds } from './crds.js';

const kc = testKubeConfig();

beforeAll(async () => {
  await installCrds(kc);
}, 60_000);

it('installs all 19 CRDs as structural schemas the API server accepts', async () => {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const def of DEFINITIONS) {
    const crd = await ext.readCustomResourceDefinition({ name: crdName(def.info) });
    const problems = (crd.status?.conditions ?? []).filter(
      (c) =>
        (c.type === 'NonStructuralSchema' || c.type === 'KubernetesAPIApprovalPolicyConformant') && c.status === 'True',
    );
    expect({ crd: crdName(def.info), problems }).toEqual({ crd: crdName(def.info), problems: [] });
  }
});
