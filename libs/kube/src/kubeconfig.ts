/**
 * Cluster access from a kubeconfig file or the in-cluster ServiceAccount, without @kubernetes/client-node at run
 * time: importing client-node loads its ~5,000 generated model classes (about 85 MiB of RSS per process), and the
 * apps only need a server, a CA and credentials. Supported: certificate-authority(-data), client-certificate(-data) +
 * client-key(-data), token, tokenFile, insecure-skip-tls-verify, namespaced contexts, and in-cluster config.
 * Not supported (clear error): exec and auth-provider plugins.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

export interface ClusterAccess {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** A static bearer token. */
  token?: string;
  /** A file holding the bearer token, re-read periodically (projected ServiceAccount tokens rotate). */
  tokenFile?: string;
  insecureSkipTlsVerify?: boolean;
  /** The namespace of the current context, if any. */
  namespace?: string;
  /** Where the access came from, for error messages. */
  source: string;
}

export interface KubeconfigEnv {
  KUBECONFIG?: string;
  KUBERNETES_SERVICE_HOST?: string;
  KUBERNETES_SERVICE_PORT?: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface NamedCluster {
  name: string;
  cluster: Record<string, unknown>;
}
interface NamedUser {
  name: string;
  user: Record<string, unknown>;
}
interface NamedContext {
  name: string;
  context: { cluster: string; user: string; namespace?: string };
}

function fileOrData(base: string, data: unknown, file: unknown): Buffer | undefined {
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
  if (typeof file === 'string' && file) return readFileSync(path.resolve(base, file));
  return undefined;
}

/** Parses kubeconfig text (its relative file references resolved against `base`). */
export function parseKubeconfig(text: string, base: string, source: string): ClusterAccess {
  const doc = parse(text) as {
    'current-context'?: string;
    clusters?: NamedCluster[];
    users?: NamedUser[];
    contexts?: NamedContext[];
  };
  const contextName = doc['current-context'];
  const context = doc.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`${source}: current-context ${JSON.stringify(contextName)} is not among its contexts`);
  const cluster = doc.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`${source}: cluster ${JSON.stringify(context.cluster)} has no server`);
  const user = doc.users?.find((u) => u.name === context.user)?.user ?? {};
  if (user.exec || user['auth-provider']) {
    throw new Error(
      `${source}: user ${JSON.stringify(context.user)} uses an exec or auth-provider plugin, which is not supported; use a token or client certificate`,
    );
  }
  return {
    server: String(cluster.server),
    ca: fileOrData(base, cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: fileOrData(base, user['client-certificate-data'], user['client-certificate']),
    key: fileOrData(base, user['client-key-data'], user['client-key']),
    token: typeof user.token === 'string' ? user.token : undefined,
    tokenFile: typeof user.tokenFile === 'string' ? path.resolve(base, user.tokenFile) : undefined,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    namespace: context.namespace,
    source,
  };
}

/** KUBECONFIG (its first file), else the in-cluster ServiceAccount, else ~/.kube/config. */
export function loadClusterAccess(env: KubeconfigEnv): ClusterAccess {
  const file = env.KUBECONFIG?.split(path.delimiter).find(Boolean);
  if (file) return parseKubeconfig(readFileSync(file, 'utf8'), path.dirname(file), `kubeconfig ${file}`);
  if (env.KUBERNETES_SERVICE_HOST) {
    const host = env.KUBERNETES_SERVICE_HOST.includes(':')
      ? `[${env.KUBERNETES_SERVICE_HOST}]`
      : env.KUBERNETES_SERVICE_HOST;
    return {
      server: `https://${host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`,
      ca: readFileSync(`${SA_DIR}/ca.crt`),
      tokenFile: `${SA_DIR}/token`,
      namespace: readFileSync(`${SA_DIR}/namespace`, 'utf8').trim(),
      source: 'in-cluster ServiceAccount',
    };
  }
  const home = path.join(homedir(), '.kube/config');
  return parseKubeconfig(readFileSync(home, 'utf8'), path.dirname(home), `kubeconfig ${home}`);
}
