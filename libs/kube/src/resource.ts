import { ALL_KINDS, type KindInfo } from '@agents/api';

/** What the REST client needs to address one resource type. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const apiVersionOf = (r: ResourceType): string => (r.group ? `${r.group}/${r.version}` : r.version);

function core(kind: string, plural: string, namespaced = true): ResourceType {
  return { group: '', version: 'v1', kind, plural, namespaced };
}

export const BUILTIN = {
  configMap: core('ConfigMap', 'configmaps'),
  secret: core('Secret', 'secrets'),
  pod: core('Pod', 'pods'),
  event: core('Event', 'events'),
  namespace: core('Namespace', 'namespaces', false),
  serviceAccount: core('ServiceAccount', 'serviceaccounts'),
  persistentVolumeClaim: core('PersistentVolumeClaim', 'persistentvolumeclaims'),
  job: { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true },
  cronJob: { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
  lease: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
  customResourceDefinition: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    kind: 'CustomResourceDefinition',
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
} satisfies Record<string, ResourceType>;

export function resourceOf(info: KindInfo): ResourceType {
  return { group: info.group, version: info.version, plural: info.plural, kind: info.kind, namespaced: true };
}

/** Our 19 kinds as REST resources, keyed by kind name. */
export const CUSTOM: Readonly<Record<string, ResourceType>> = Object.fromEntries(
  ALL_KINDS.map((k) => [k.kind, resourceOf(k)]),
);

/** The REST path of a collection or of one object (and optionally a subresource). */
export function resourcePath(r: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
