// Installing the chart on the test cluster, and asking the API server what a ServiceAccount token may do.
import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  type KubeConfig,
  type V1ResourceRule,
} from '@kubernetes/client-node';
import { serviceAccountKubeConfig, uniqueName } from '@agents/testing';
import { CHART_DIR, helm, parseManifests, valuesFile, type K8sObject } from './chart.js';
import { permissions, type PolicyRule, type RulesFile, type RulesKey } from './rbac.js';

export interface Release {
  name: string;
  namespace: string;
  /** The objects of `helm get manifest`. */
  objects: K8sObject[];
}

/** A release name unique to this run (Helm allows 53 characters). */
export function releaseName(prefix: string): string {
  return uniqueName(prefix).slice(0, 40);
}

function run(args: string[]): string {
  const res = helm(args);
  if (res.status !== 0) throw new Error(`helm ${args.slice(0, 2).join(' ')} failed:\n${res.stderr}`);
  return res.stdout;
}

export function manifest(name: string, namespace: string): K8sObject[] {
  return parseManifests(run(['get', 'manifest', name, '--namespace', namespace]));
}

/** `helm install --wait=false` of a chart directory (default: this chart). */
export function install(name: string, namespace: string, values: unknown = {}, chartDir: string = CHART_DIR): Release {
  run(['install', name, chartDir, '--namespace', namespace, '-f', valuesFile(values), '--wait=false']);
  return { name, namespace, objects: manifest(name, namespace) };
}

export function upgrade(release: Release, values: unknown = {}, chartDir: string = CHART_DIR): Release {
  run(['upgrade', release.name, chartDir, '--namespace', release.namespace, '-f', valuesFile(values), '--wait=false']);
  return { ...release, objects: manifest(release.name, release.namespace) };
}

export function uninstall(name: string, namespace: string): void {
  const res = helm(['uninstall', name, '--namespace', namespace, '--wait', '--timeout', '60s']);
  if (res.status !== 0 && !/not found/.test(res.stderr)) throw new Error(`helm uninstall failed:\n${res.stderr}`);
}

export function releaseStatus(name: string, namespace: string): string {
  const status = JSON.parse(run(['status', name, '--namespace', namespace, '-o', 'json'])) as {
    info: { status: string };
    version: number;
  };
  return `${status.info.status} (revision ${status.version})`;
}

/** Reads an object back from the API server; undefined when it does not exist. */
export async function readLive(kc: KubeConfig, o: K8sObject): Promise<K8sObject | undefined> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  try {
    return (await client.read({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
    })) as unknown as K8sObject;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return undefined;
    throw err;
  }
}

export function expandResourceRules(rules: V1ResourceRule[]): string[] {
  return permissions(
    rules.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }) as PolicyRule),
  );
}

/** What `kc`'s user may do in `namespace`, as `group|resource|verb` (SelfSubjectRulesReview). */
export async function allowedIn(kc: KubeConfig, namespace: string): Promise<string[]> {
  const res = await kc
    .makeApiClient(AuthorizationV1Api)
    .createSelfSubjectRulesReview({ body: { spec: { namespace } } });
  if (res.status?.incomplete)
    throw new Error(`the rules review of ${namespace} is incomplete: ${res.status.evaluationError}`);
  return expandResourceRules(res.status?.resourceRules ?? []);
}

/** SelfSubjectAccessReview of one request. */
export async function can(
  kc: KubeConfig,
  attrs: { verb: string; group?: string; resource: string; subresource?: string; namespace?: string },
): Promise<boolean> {
  const res = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { ...attrs, group: attrs.group ?? '' } } },
  });
  return res.status?.allowed === true;
}

/**
 * What every ServiceAccount may do anyway (system:basic-user and friends): the rules of a fresh ServiceAccount
 * that nothing binds.
 */
export async function baseline(admin: KubeConfig, namespace: string): Promise<string[]> {
  const name = uniqueName('nobody').slice(0, 40);
  await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const kc = await serviceAccountKubeConfig(admin, namespace, name);
  return allowedIn(kc, namespace);
}

/** The permissions a component should have in one namespace, from files/rbac-rules.yaml. */
export function expectedIn(
  rules: RulesFile,
  key: RulesKey,
  where: { watched: boolean; leaseNamespace: boolean; allNamespaces: boolean },
  base: string[],
): string[] {
  const r = rules[key];
  return [
    ...new Set([
      ...base,
      ...permissions(r.cluster),
      ...(where.watched ? permissions(r.namespaced) : []),
      ...(where.leaseNamespace ? permissions(r.leaderElection) : []),
      ...(where.allNamespaces ? permissions(r.allNamespaces) : []),
    ]),
  ].sort();
}

/** The HTTP status of a call: 2xx on success, the ApiException's code otherwise. */
export async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}
