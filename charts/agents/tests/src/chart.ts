// Helpers of the chart tests: paths, helm invocations, rendered manifests and their containers' env.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const CHART_DIR = path.resolve(import.meta.dirname, '../..');
export const REPO_ROOT = path.resolve(CHART_DIR, '../..');
export const CI_DIR = path.join(CHART_DIR, 'ci');
export const ARGOCD_DIR = path.join(REPO_ROOT, 'examples/argocd');

/** Release and namespace of every `render()` unless told otherwise (fullname: `rel-agents`). */
export const RELEASE = 'rel';
export const NAMESPACE = 'agents-ns';
export const FULLNAME = 'rel-agents';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // Whatever the kind has; tests read it through `at()` or typed accessors below.
  [key: string]: unknown;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, unknown>;
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  ports?: { name: string; containerPort: number; protocol?: string }[];
  env?: EnvVar[];
  envFrom?: Record<string, { name: string }>[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: Record<string, unknown>;
  securityContext?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface Probe {
  httpGet: { path: string; port: string | number };
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export interface PodSpec {
  serviceAccountName: string;
  containers: Container[];
  volumes?: { name: string; [k: string]: unknown }[];
  securityContext?: Record<string, unknown>;
  imagePullSecrets?: { name: string }[];
  topologySpreadConstraints?: Record<string, unknown>[];
  [k: string]: unknown;
}

export interface Deployment extends K8sObject {
  spec: {
    replicas?: number;
    strategy?: { type?: string; rollingUpdate?: Record<string, unknown> };
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
}

/** Isolated helm state (registry logins, repository cache) for everything these tests run. */
const helmHome = mkdtempSync(path.join(tmpdir(), 'agents-chart-helm-'));
export const HELM_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  HELM_CONFIG_HOME: path.join(helmHome, 'config'),
  HELM_CACHE_HOME: path.join(helmHome, 'cache'),
  HELM_DATA_HOME: path.join(helmHome, 'data'),
};

/** Runs helm; never throws (check `status`). */
export function helm(args: string[], options: { cwd?: string } = {}): SpawnSyncReturns<string> {
  const res = spawnSync('helm', args, {
    encoding: 'utf8',
    env: HELM_ENV,
    cwd: options.cwd ?? REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw new Error(`helm could not be run (is it on PATH? eval "$(hack/cluster/env)"): ${res.error}`);
  return res;
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Values files (paths) applied before `values`. */
  files?: string[];
  /** Extra helm flags. */
  flags?: string[];
  chartDir?: string;
}

let valuesCounter = 0;
const valuesDir = mkdtempSync(path.join(tmpdir(), 'agents-chart-values-'));

/** Writes values to a temporary file for `-f` (JSON is YAML). */
export function valuesFile(values: unknown): string {
  const file = path.join(valuesDir, `values-${++valuesCounter}.yaml`);
  writeFileSync(file, JSON.stringify(values ?? {}));
  return file;
}

function templateArgs(values: unknown, o: RenderOptions): string[] {
  const files = [...(o.files ?? []), ...(values === undefined ? [] : [valuesFile(values)])];
  return [
    'template',
    o.release ?? RELEASE,
    o.chartDir ?? CHART_DIR,
    '--namespace',
    o.namespace ?? NAMESPACE,
    ...files.flatMap((f) => ['-f', f]),
    ...(o.flags ?? []),
  ];
}

/** `helm template` output as text; throws with helm's message when the render fails. */
export function renderText(values?: unknown, o: RenderOptions = {}): string {
  const res = helm(templateArgs(values, o));
  if (res.status !== 0) throw new Error(`helm template failed:\n${res.stderr}`);
  return res.stdout;
}

/** The rendered objects of `helm template`. */
export function render(values?: unknown, o: RenderOptions = {}): K8sObject[] {
  return parseManifests(renderText(values, o));
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object' && 'kind' in o);
}

/** The error helm prints when the render fails (fails the test when it succeeds). */
export function renderError(values?: unknown, o: RenderOptions = {}): string {
  const res = helm(templateArgs(values, o));
  if (res.status === 0)
    throw new Error(`expected helm template to fail, but it rendered:\n${res.stdout.slice(0, 500)}`);
  return res.stderr;
}

export function find<T extends K8sObject = K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind}/${name}, found ${found.length} among: ${have}`);
  }
  return found[0] as T;
}

export function ofKind<T extends K8sObject = K8sObject>(objects: K8sObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}

export type Component = 'control-plane' | 'controllers';
export const COMPONENTS: Component[] = ['control-plane', 'controllers'];

export function deploymentName(component: Component, fullname = FULLNAME): string {
  return component === 'control-plane' ? fullname : `${fullname}-controllers`;
}

export function deployment(objects: K8sObject[], component: Component, fullname = FULLNAME): Deployment {
  return find<Deployment>(objects, 'Deployment', deploymentName(component, fullname));
}

export function container(objects: K8sObject[], component: Component, fullname = FULLNAME): Container {
  const c = deployment(objects, component, fullname).spec.template.spec.containers[0];
  if (!c) throw new Error(`the ${component} Deployment has no container`);
  return c;
}

/** A component's env as name → entry; fails on a name that appears twice. */
export function envOf(objects: K8sObject[], component: Component): Map<string, EnvVar> {
  const env = container(objects, component).env ?? [];
  const out = new Map<string, EnvVar>();
  for (const e of env) {
    if (out.has(e.name)) throw new Error(`${component} has env ${e.name} twice`);
    out.set(e.name, e);
  }
  return out;
}

/** The literal value of one env var (undefined when absent; throws when it is a valueFrom). */
export function envValue(objects: K8sObject[], component: Component, name: string): string | undefined {
  const e = envOf(objects, component).get(name);
  if (e && e.value === undefined) throw new Error(`${component} env ${name} is a valueFrom, not a literal`);
  return e?.value;
}

export function readChartFile(relative: string): string {
  return readFileSync(path.join(CHART_DIR, relative), 'utf8');
}

export interface ChartYaml {
  apiVersion: string;
  name: string;
  version: string;
  appVersion: string;
  kubeVersion: string;
  annotations: Record<string, string>;
  [k: string]: unknown;
}

export function chartYaml(dir = CHART_DIR): ChartYaml {
  return parse(readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) as ChartYaml;
}

/** Every file under ci/ (helm lint and kubeconform run each). */
export function ciValuesFiles(): string[] {
  return readdirSync(CI_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => path.join(CI_DIR, f));
}
