import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Namespace,
} from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { uniqueName } from './eventually.js';

/** The admin kubeconfig of the test cluster (hack/cluster/up or AGENTS_CLUSTER=existing), from $KUBECONFIG. */
export function testKubeConfig(): KubeConfig {
  const path = process.env.KUBECONFIG;
  if (!path) {
    throw new Error(
      'KUBECONFIG is not set: start the local cluster with hack/cluster/up and eval "$(hack/cluster/env)"',
    );
  }
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** Custom resources the controllers put finalizers on: a test that stopped its controllers must release them. */
const FINALIZED = [{ group: 'agents.proompteng.ai', version: 'v1alpha1', plural: 'agentruns' }];

/**
 * A namespace of its own for a test file, deleted (without waiting) by `delete()`. Objects still holding our
 * finalizers are released then: their controllers are gone with the test, and the namespace would otherwise stay
 * Terminating forever (keeping the API server's namespace controller busy).
 */
export class TestNamespace {
  private constructor(
    readonly name: string,
    private readonly core: CoreV1Api,
    private readonly custom: CustomObjectsApi,
  ) {}

  static async create(kc: KubeConfig, prefix: string, labels: Record<string, string> = {}): Promise<TestNamespace> {
    const core = kc.makeApiClient(CoreV1Api);
    const name = uniqueName(prefix).slice(0, 63);
    const body: V1Namespace = { metadata: { name, labels: { 'agents.test/owner': 'jest', ...labels } } };
    await core.createNamespace({ body });
    return new TestNamespace(name, core, kc.makeApiClient(CustomObjectsApi));
  }

  async delete(): Promise<void> {
    await this.core.deleteNamespace({ name: this.name }).catch(() => undefined);
    await releaseFinalizers(this.custom, this.name);
  }
}

/**
 * A kubeconfig that authenticates only with a fresh TokenRequest token of one ServiceAccount: what a pod running as
 * that account would have. The cluster entry (server, CA) is copied from `admin`.
 */
export async function serviceAccountKubeConfig(
  admin: KubeConfig,
  namespace: string,
  serviceAccount: string,
  expirationSeconds = 3600,
): Promise<KubeConfig> {
  const core = admin.makeApiClient(CoreV1Api);
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = tokenRequest.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const user = `system:serviceaccount:${namespace}:${serviceAccount}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name: 'cluster' }],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: 'cluster', user, namespace }],
    currentContext: user,
  });
  return kc;
}

/** Writes a kubeconfig as YAML-compatible JSON for a child process (`KUBECONFIG=<file>`). */
export function kubeConfigFileContent(kc: KubeConfig): string {
  return kc.exportConfig();
}

/** The audit log of the local cluster, when the harness runs one (undefined on an existing cluster). */
export function auditLogPath(): string | undefined {
  const dir = process.env.AGENTS_CLUSTER_DIR;
  if (!dir || process.env.AGENTS_CLUSTER === 'existing') return undefined;
  return `${dir}/logs/audit.log`;
}

export interface AuditEvent {
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  requestURI: string;
}

/** Audit events of the local cluster's log written by `username` (one JSON object per line). */
export function readAuditEvents(username: string, path = auditLogPath()): AuditEvent[] {
  if (!path) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.includes(username))
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((e) => e.user.username === username);
}

/** Removes the finalizers of our finalized kinds in a namespace (best effort). */
export async function releaseFinalizers(custom: CustomObjectsApi, namespace: string): Promise<void> {
  // In chunks, and again while any is left: thousands of patches at once overwhelm the API server and the ones that
  // fail would leave their namespace Terminating (and the API server busy) for whatever runs next.
  for (let pass = 0; pass < 5; pass++) {
    let left = 0;
    for (const r of FINALIZED) {
      const list = (await custom.listNamespacedCustomObject({ ...r, namespace }).catch(() => ({ items: [] }))) as {
        items: { metadata: { name: string; finalizers?: string[] } }[];
      };
      const held = list.items.filter((o) => o.metadata.finalizers?.length);
      left += held.length;
      for (let i = 0; i < held.length; i += 50)
        await Promise.all(
          held
            .slice(i, i + 50)
            .map((o) =>
              custom
                .patchNamespacedCustomObject(
                  { ...r, namespace, name: o.metadata.name, body: { metadata: { finalizers: null } } },
                  setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
                )
                .catch(() => undefined),
            ),
        );
    }
    if (left === 0) return;
  }
}
