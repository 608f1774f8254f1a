// The local stack of the main job and the end-to-end tests: the chart installed with Helm, and the two apps run as
// local processes with the configuration of the chart's Deployments and the tokens of the chart's ServiceAccounts, so
// what they may do is exactly what the chart's RBAC grants.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const CHART_DIR = path.join(REPO_ROOT, 'charts/agents');
export const EXAMPLES_DIR = path.join(CHART_DIR, 'examples');

export type Component = 'control-plane' | 'controllers';

const MAIN: Record<Component, string> = {
  'control-plane': path.join(REPO_ROOT, 'apps/control-plane/dist/main.js'),
  controllers: path.join(REPO_ROOT, 'apps/controllers/dist/main.js'),
};

export interface StackOptions {
  release: string;
  namespace: string;
  /** Chart values on top of the local ones (database, NATS, watched namespaces). */
  values?: Record<string, unknown>;
  /** Where kubeconfigs, logs and process records go. */
  stateDir: string;
  databaseUrl: string;
  natsUrl: string;
  /** Fixed ports (hack/dev prints them); free ones when omitted. */
  ports?: Partial<Record<'controllers' | 'controlPlane' | 'grpc', number>>;
  /** The apps outlive this process (hack/dev) instead of being stopped with the stack (tests). */
  detached?: boolean;
  log?: (line: string) => void;
}

export interface AppProcess {
  component: Component;
  pid: number;
  url: string;
  /** The readiness path of the chart's probe. */
  readyPath: string;
  logFile: string;
  /** The ServiceAccount it authenticates as (`system:serviceaccount:<ns>:<name>`). */
  user: string;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

interface Deployment {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    template: {
      spec: {
        serviceAccountName?: string;
        containers: { name: string; env?: EnvVar[]; readinessProbe?: { httpGet?: { path?: string } } }[];
      };
    };
  };
}

export function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', args, {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
}

export function helm(args: string[]): string {
  try {
    return execFileSync('helm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`helm ${args.slice(0, 2).join(' ')} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The chart release plus the two apps running locally under the chart's ServiceAccounts. */
export class Stack {
  private constructor(
    readonly options: StackOptions,
    readonly apps: Record<Component, AppProcess>,
    readonly grpcAddress: string,
  ) {}

  get controlPlaneUrl(): string {
    return this.apps['control-plane'].url;
  }

  get controllersUrl(): string {
    return this.apps.controllers.url;
  }

  /** Installs or upgrades the release, then starts (or keeps, when unchanged and healthy) both apps. */
  static async up(o: StackOptions): Promise<Stack> {
    const log = o.log ?? (() => undefined);
    mkdirSync(path.join(o.stateDir, 'logs'), { recursive: true });
    const valuesFile = path.join(o.stateDir, `${o.release}-values.json`);
    writeFileSync(valuesFile, JSON.stringify(localValues(o), null, 2));
    log(`helm upgrade --install ${o.release} charts/agents -n ${o.namespace}`);
    helm([
      'upgrade',
      '--install',
      o.release,
      CHART_DIR,
      '--namespace',
      o.namespace,
      '--create-namespace',
      '-f',
      valuesFile,
      '--wait',
      '--timeout',
      '5m',
    ]);

    const deployments = (
      JSON.parse(
        kubectl([
          'get',
          'deployments',
          '-n',
          o.namespace,
          '-l',
          `app.kubernetes.io/instance=${o.release}`,
          '-o',
          'json',
        ]),
      ) as { items: Deployment[] }
    ).items;
    const grpcPort = o.ports?.grpc ?? (await freePort());
    const apps = {} as Record<Component, AppProcess>;
    for (const component of ['control-plane', 'controllers'] as const) {
      const deployment = deployments.find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === component);
      if (!deployment) throw new Error(`the release ${o.release} has no ${component} Deployment`);
      const port = (component === 'controllers' ? o.ports?.controllers : o.ports?.controlPlane) ?? (await freePort());
      const sa = deployment.spec.template.spec.serviceAccountName ?? 'default';
      const kubeconfig = writeServiceAccountKubeconfig(o, sa);
      const env: Record<string, string> = {
        ...deploymentEnv(o.namespace, deployment),
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        NO_COLOR: '1',
        KUBECONFIG: kubeconfig,
        JANGAR_PORT: String(port),
        ...(component === 'control-plane' ? { JANGAR_GRPC_HOST: '127.0.0.1', JANGAR_GRPC_PORT: String(grpcPort) } : {}),
      };
      const readyPath = deployment.spec.template.spec.containers[0]!.readinessProbe?.httpGet?.path ?? '/ready';
      apps[component] = {
        ...(await startApp(o, component, env, port, `system:serviceaccount:${o.namespace}:${sa}`)),
        readyPath,
      };
      log(`${component}: pid ${apps[component].pid}, ${apps[component].url} as ${apps[component].user}`);
    }
    const stack = new Stack(o, apps, `127.0.0.1:${grpcPort}`);
    await stack.waitReady();
    return stack;
  }

  /** Both apps answer /ready 200 (the logs' tail is in the error otherwise). */
  async waitReady(timeoutMs = 120_000): Promise<void> {
    for (const app of Object.values(this.apps)) {
      await waitFor(
        `${app.component} to be ready (${app.url}${app.readyPath}; log ${app.logFile})`,
        timeoutMs,
        async () => {
          if (!alive(app.pid)) throw new Error(`${app.component} exited:\n${tail(app.logFile)}`);
          const res = await fetch(`${app.url}${app.readyPath}`);
          return res.status === 200 ? true : undefined;
        },
      ).catch((err: unknown) => {
        throw new Error(`${String(err)}\n--- ${app.component} log ---\n${tail(app.logFile)}`, { cause: err });
      });
    }
  }

  /** Stops both apps (the release stays). */
  async stop(): Promise<void> {
    await Promise.all(Object.values(this.apps).map((a) => stopProcess(a.pid)));
  }

  /** Uninstalls the release and deletes its namespace. */
  async destroy(): Promise<void> {
    await this.stop();
    try {
      helm(['uninstall', this.options.release, '--namespace', this.options.namespace, '--wait', '--timeout', '2m']);
    } catch {
      // already gone
    }
    kubectl(['delete', 'namespace', this.options.namespace, '--ignore-not-found', '--wait=false']);
  }
}

/** AGENTS_CLUSTER=existing: a cluster this suite did not start (kind in CI). */
export const onExistingCluster = (): boolean => process.env.AGENTS_CLUSTER === 'existing';

/**
 * Whether the node a pod ran on is one kwok simulates (annotation `kwok.x-k8s.io/node: fake`, as the local cluster's):
 * its containers never ran, kwok played their lifecycle. Else a real kubelet ran them (kind).
 */
export function simulatedNode(nodeName: string): boolean {
  const node = JSON.parse(kubectl(['get', 'node', nodeName, '-o', 'json'])) as {
    metadata: { annotations?: Record<string, string> };
  };
  return node.metadata.annotations?.['kwok.x-k8s.io/node'] === 'fake';
}

/** The chart values that make the release talk to this machine's Postgres and NATS. */

function localValues(o: StackOptions): Record<string, unknown> {
  const base: Record<string, unknown> = {
    database: { url: o.databaseUrl },
    agentComms: { enabled: true, nats: { url: o.natsUrl } },
    controller: { namespaces: [o.namespace] },
  };
  if (onExistingCluster()) {
    // The apps run here as local processes; in-cluster replicas would compete with them for the lease (and could not
    // reach this machine's Postgres). Job pods run for real: with the runner image CI built and loaded, when given.
    base.controlPlane = { replicaCount: 0 };
    base.controllers = { replicaCount: 0 };
    if (process.env.AGENTS_E2E_RUNNER_IMAGE) base.runtime = { agentRunnerImage: process.env.AGENTS_E2E_RUNNER_IMAGE };
  }
  return deepMerge(base, o.values ?? {});
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && v && typeof prev === 'object' && typeof v === 'object' && !Array.isArray(prev) && !Array.isArray(v)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** The container's env as the kubelet would give it: literal values, downward API fields, Secret and ConfigMap keys. */
function deploymentEnv(namespace: string, d: Deployment): Record<string, string> {
  const env: Record<string, string> = {};
  const container = d.spec.template.spec.containers[0]!;
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) {
      const field = e.valueFrom.fieldRef.fieldPath;
      env[e.name] =
        field === 'metadata.namespace' ? namespace : field === 'metadata.name' ? `${d.metadata.name}-local` : 'local';
    } else if (e.valueFrom?.secretKeyRef || e.valueFrom?.configMapKeyRef) {
      const ref = (e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef)!;
      const kind = e.valueFrom.secretKeyRef ? 'secret' : 'configmap';
      try {
        const raw = kubectl([
          'get',
          kind,
          ref.name,
          '-n',
          namespace,
          '-o',
          `jsonpath={.data.${ref.key.replaceAll('.', '\\.')}}`,
        ]);
        env[e.name] = kind === 'secret' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      } catch (err) {
        if (!ref.optional)
          throw new Error(`${e.name}: ${kind} ${ref.name} key ${ref.key}: ${String(err)}`, { cause: err });
      }
    }
  }
  return env;
}

/**
 * A kubeconfig for one ServiceAccount of the release: the cluster of the admin kubeconfig and a `tokenFile` holding a
 * fresh 24 h token. The apps re-read the file every 30 s, so each Stack.up (each re-run of hack/dev) renews the token
 * of processes it keeps running, like the kubelet renews a projected token.
 */
function writeServiceAccountKubeconfig(o: StackOptions, serviceAccount: string): string {
  const admin = JSON.parse(kubectl(['config', 'view', '--raw', '--minify', '--flatten', '-o', 'json'])) as {
    clusters: { cluster: Record<string, unknown> }[];
  };
  const token = kubectl(['create', 'token', serviceAccount, '-n', o.namespace, '--duration', '24h']).trim();
  const user = `system:serviceaccount:${o.namespace}:${serviceAccount}`;
  const file = path.join(o.stateDir, `${o.release}-${serviceAccount}.kubeconfig`);
  const tokenFile = path.join(o.stateDir, `${o.release}-${serviceAccount}.token`);
  // Write and rename: an app reading the file meanwhile sees the old token or the new one, never half of one.
  writeFileSync(`${tokenFile}.tmp`, token, { mode: 0o600 });
  renameSync(`${tokenFile}.tmp`, tokenFile);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: admin.clusters[0]!.cluster }],
    users: [{ name: user, user: { tokenFile } }],
    contexts: [{ name: user, context: { cluster: 'local', user, namespace: o.namespace } }],
    'current-context': user,
  };
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return file;
}

interface ProcessRecord {
  pid: number;
  fingerprint: string;
  port: number;
}

/**
 * Starts an app unless the same one (same configuration, apart from the token, and build) is already running from
 * an earlier call: that keeps re-runs of the main job fast.
 */
async function startApp(
  o: StackOptions,
  component: Component,
  env: Record<string, string>,
  port: number,
  user: string,
): Promise<Omit<AppProcess, 'readyPath'>> {
  const recordFile = path.join(o.stateDir, `${o.release}-${component}.json`);
  const logFile = path.join(o.stateDir, 'logs', `${o.release}-${component}.log`);
  const { KUBECONFIG: _kubeconfig, ...stable } = env;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(stable))
    .update(readFileSync(MAIN[component]))
    .digest('hex');
  if (existsSync(recordFile)) {
    const prev = JSON.parse(readFileSync(recordFile, 'utf8')) as ProcessRecord;
    if (alive(prev.pid)) {
      if (prev.fingerprint === fingerprint && prev.port === port) {
        return { component, pid: prev.pid, url: `http://127.0.0.1:${port}`, logFile, user };
      }
      await stopProcess(prev.pid);
    }
  }
  if (!existsSync(MAIN[component]))
    throw new Error(`${MAIN[component]} is missing: build first (pnpm exec turbo run build)`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [MAIN[component]], {
    env,
    cwd: REPO_ROOT,
    stdio: ['ignore', fd, fd],
    detached: o.detached ?? false,
  });
  closeSync(fd);
  if (o.detached) child.unref();
  writeFileSync(recordFile, JSON.stringify({ pid: child.pid!, fingerprint, port } satisfies ProcessRecord));
  return { component, pid: child.pid!, url: `http://127.0.0.1:${port}`, logFile, user };
}

export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Stops the apps recorded in a state directory (hack/dev down). */
export async function stopRecorded(stateDir: string): Promise<string[]> {
  const stopped: string[] = [];
  if (!existsSync(stateDir)) return stopped;
  for (const file of readdirSync(stateDir).filter((f) => f.endsWith('.json') && !f.endsWith('-values.json'))) {
    const rec = JSON.parse(readFileSync(path.join(stateDir, file), 'utf8')) as Partial<ProcessRecord>;
    if (typeof rec.pid === 'number' && alive(rec.pid)) {
      await stopProcess(rec.pid);
      stopped.push(`${file.replace(/\.json$/, '')} (pid ${rec.pid})`);
    }
  }
  return stopped;
}

export function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
