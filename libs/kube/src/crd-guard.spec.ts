import { checkCrds, crdGuardMessage } from './crd-guard.js';
import { KubeApiError } from './errors.js';
import type { KubeApi } from './kube-api.js';

const crd = (name: string, metadata: Record<string, unknown> = {}) => ({ metadata: { name, ...metadata } });

function fakeApi(objects: Record<string, unknown>, forbidden = false): KubeApi {
  return {
    get: async (_r: unknown, _ns: unknown, name: string) => {
      if (forbidden) throw new KubeApiError(403, 'Forbidden', 'forbidden', 'GET', `/crds/${name}`);
      return objects[name];
    },
  } as unknown as KubeApi;
}

describe('checkCrds', () => {
  it('sorts the CRDs into present, missing and managed by Crossplane (owner reference, label or annotation)', async () => {
    const api = fakeApi({
      'a.x': crd('a.x'),
      'b.x': crd('b.x', {
        ownerReferences: [
          { apiVersion: 'apiextensions.crossplane.io/v1', kind: 'CompositeResourceDefinition', name: 'xr' },
        ],
      }),
      'c.x': crd('c.x', { labels: { 'crossplane.io/claim-name': 'agents' } }),
      'd.x': crd('d.x', { annotations: { 'crossplane.io/external-name': 'd' } }),
    });
    expect(await checkCrds(api, ['a.x', 'b.x', 'c.x', 'd.x', 'e.x'])).toEqual({
      missing: ['e.x'],
      crossplane: ['b.x', 'c.x', 'd.x'],
      forbidden: false,
    });
  });

  it('reports a forbidden read as such (every CRD unknown)', async () => {
    expect(await checkCrds(fakeApi({}, true), ['a.x'])).toEqual({ missing: ['a.x'], crossplane: [], forbidden: true });
  });
});

describe('crdGuardMessage', () => {
  it('is undefined when all is well', () => {
    expect(crdGuardMessage({ missing: [], crossplane: [], forbidden: false })).toBeUndefined();
  });

  it('names missing CRDs and the command that installs them', () => {
    expect(crdGuardMessage({ missing: ['a.x', 'b.x'], crossplane: [], forbidden: false })).toBe(
      'missing CRDs: a.x, b.x. Install them with "kubectl apply --server-side -f charts/agents/crds/" (or install/upgrade the agents Helm chart, which ships them)',
    );
  });

  it('names Crossplane-managed CRDs and points at the README note', () => {
    const m = crdGuardMessage({ missing: [], crossplane: ['a.x'], forbidden: false })!;
    expect(m).toContain('CRDs managed by Crossplane: a.x');
    expect(m).toContain('"Uninstalling a Crossplane-based install"');
  });

  it('says a forbidden read is an RBAC problem, not a missing CRD', () => {
    expect(crdGuardMessage({ missing: ['a.x'], crossplane: [], forbidden: true })).toContain('forbidden');
  });
});
