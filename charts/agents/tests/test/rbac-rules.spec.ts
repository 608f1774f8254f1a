import { ALL_KINDS } from '@agents/api';
import { permissions, rulesFile, type PolicyRule } from '../src/rbac.js';

// The contract with the apps, written out once more: files/rbac-rules.yaml must grant exactly this (the apps are
// written to stay inside it, and the e2e suite fails on any 403 they get).
const crVerbs = ['get', 'list', 'watch', 'create', 'update', 'patch'];
const all = ALL_KINDS.map((k) => ({ group: k.group, plural: k.plural }));
const byPlural = (plurals: string[]) => all.filter((k) => plurals.includes(k.plural));
const grant = (kinds: { group: string; plural: string }[], verbs: string[], sub = '') =>
  kinds.flatMap((k) => verbs.map((v) => `${k.group}|${k.plural}${sub}|${v}`));
const core = (resources: string[], verbs: string[], group = '') =>
  resources.flatMap((r) => verbs.map((v) => `${group}|${r}|${v}`));
const crud = [...crVerbs, 'delete'];
const sorted = (xs: string[]) => [...new Set(xs)].sort();

const rules = rulesFile();

describe('files/rbac-rules.yaml', () => {
  it('gives the controllers the custom resources, their status and finalizers, and their children in watched namespaces', () => {
    const want = sorted([
      ...grant(all, crVerbs),
      ...grant(byPlural(['agentruns', 'orchestrationruns', 'toolruns']), ['delete']),
      ...grant(all, ['get', 'update', 'patch'], '/status'),
      ...grant(
        byPlural(['agentruns', 'orchestrationruns', 'toolruns', 'schedules', 'workspaces']),
        ['update'],
        '/finalizers',
      ),
      ...core(['jobs', 'cronjobs'], crud, 'batch'),
      ...core(['persistentvolumeclaims', 'configmaps'], crud),
      ...core(['secrets'], ['get']),
      ...core(['pods'], ['get', 'list', 'watch', 'delete']),
      ...core(['pods/log'], ['get']),
      ...core(['events'], ['create', 'patch']),
      ...core(['events'], ['create', 'patch'], 'events.k8s.io'),
    ]);
    expect(permissions(rules.controllers.namespaced)).toEqual(want);
  });

  it('gives the controllers Leases for leader election only in the lease namespace section', () => {
    expect(permissions(rules.controllers.leaderElection)).toEqual(
      sorted(core(['leases'], crVerbs, 'coordination.k8s.io')),
    );
  });

  it('gives the control plane the custom resources and their status reads, and nothing of Jobs, pods or Secrets', () => {
    const want = sorted([...grant(all, crud), ...grant(all, ['get'], '/status')]);
    expect(permissions(rules.controlPlane.namespaced)).toEqual(want);
  });

  it('lets the control plane read the controllers Lease (agentctl status), never write it', () => {
    expect(permissions(rules.controlPlane.leaderElection)).toEqual(
      sorted(core(['leases'], ['get'], 'coordination.k8s.io')),
    );
  });

  it('lets both components read CRDs cluster-wide, and only the controllers list namespaces when watching "*"', () => {
    const crds = sorted(core(['customresourcedefinitions'], ['get', 'list', 'watch'], 'apiextensions.k8s.io'));
    expect(permissions(rules.controllers.cluster)).toEqual(crds);
    expect(permissions(rules.controlPlane.cluster)).toEqual(crds);
    expect(permissions(rules.controllers.allNamespaces)).toEqual(
      sorted(core(['namespaces'], ['get', 'list', 'watch'])),
    );
    expect(rules.controlPlane.allNamespaces).toEqual([]);
  });

  it('uses no wildcards, resource names or non-resource URLs', () => {
    const everyRule: PolicyRule[] = Object.values(rules).flatMap((sections) => Object.values(sections).flat());
    const loose = everyRule.filter(
      (r) =>
        r.resourceNames ||
        r.nonResourceURLs ||
        [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs].some((x) => x.includes('*')),
    );
    expect(loose).toEqual([]);
  });
});
