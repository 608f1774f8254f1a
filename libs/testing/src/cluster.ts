import { CoreV1Api, KubeConfig, type V1Namespace } from '@kubernetes/client-node';
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

/** A namespace of its own for a test file, deleted (without waiting) by `delete()`. */
export class TestNamespace {
  private constructor(
    readonly name: string,
    private readonly core: CoreV1Api,
  ) {}

  static async create(kc: KubeConfig, prefix: string, labels: Record<string, string> = {}): Promise<TestNamespace> {
    const core = kc.makeApiClient(CoreV1Api);
    const name = uniqueName(prefix).slice(0, 63);
    const body: V1Namespace = { metadata: { name, labels: { 'agents.test/owner': 'jest', ...labels } } };
    await core.createNamespace({ body });
    return new TestNamespace(name, core);
  }

  async delete(): Promise<void> {
    await this.core.deleteNamespace({ name: this.name }).catch(() => undefined);
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
