import { freePort, spawnService, testKubeConfig, type ServiceProcess } from '@agents/testing';
import path from 'node:path';
import { imageNodeFlags, REPO_ROOT } from './env.ts';

export interface ControlPlane extends ServiceProcess {
  url: string;
  httpPort: number;
  grpcPort: number;
}

/** Starts the built control plane (apps/control-plane/dist/main.js) against the local cluster, like a Deployment would. */
export async function startControlPlane(o: {
  databaseUrl: string;
  natsUrl: string;
  namespaces: string[];
  env?: Record<string, string>;
}): Promise<ControlPlane> {
  testKubeConfig(); // says how to start the local cluster when KUBECONFIG is unset
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const service = await spawnService({
    command: process.execPath,
    // The Node flags of the control plane image (apps/control-plane/Dockerfile).
    args: [...imageNodeFlags('control-plane'), path.join(REPO_ROOT, 'apps/control-plane/dist/main.js')],
    httpPort,
    readyPath: '/ready',
    readyTimeoutMs: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NO_COLOR: '1',
      KUBECONFIG: process.env.KUBECONFIG,
      DATABASE_URL: o.databaseUrl,
      NATS_URL: o.natsUrl,
      JANGAR_PORT: String(httpPort),
      JANGAR_GRPC_PORT: String(grpcPort),
      JANGAR_POD_NAMESPACE: o.namespaces[0],
      JANGAR_AGENTS_CONTROLLER_NAMESPACES: o.namespaces.join(','),
      JANGAR_LOG_LEVEL: 'warn',
      // e.g. BENCH_CP_NODE_OPTIONS=--cpu-prof to profile the control plane under load
      ...(process.env.BENCH_CP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_CP_NODE_OPTIONS } : {}),
      ...o.env,
    },
  });
  return Object.assign(service, { url: `http://127.0.0.1:${httpPort}`, httpPort, grpcPort });
}

/** The control plane's Node flags here (its image's, then BENCH_CP_NODE_OPTIONS), for a benchmark's conditions. */
export function controlPlaneNodeFlags(): string {
  return [...imageNodeFlags('control-plane'), process.env.BENCH_CP_NODE_OPTIONS ?? ''].join(' ').trim() || '(none)';
}

/** An app's /metrics, once (reading it resets the event loop lag gauges: read them from one scrape). */
export async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** A counter or gauge from an app's /metrics (sum over its label sets). */
export async function metric(url: string, name: string): Promise<number> {
  return sample(await scrape(url), name);
}

/** A counter or gauge from a Prometheus text exposition (sum over its label sets). */
export function sample(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** A histogram from a Prometheus text exposition: cumulative bucket counts by upper bound, count and sum. */
export interface Histogram {
  buckets: [le: number, count: number][];
  count: number;
  sum: number;
}

/** The histogram `name` (whose label sets contain `match`, e.g. `kind="major"`) from a Prometheus text exposition. */
export function histogram(text: string, name: string, match = ''): Histogram {
  const h: Histogram = { buckets: [], count: 0, sum: 0 };
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !line.includes(match)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_bucket`)) {
      const le = /le="([^"]+)"/.exec(line)![1]!;
      h.buckets.push([le === '+Inf' ? Infinity : Number(le), value]);
    } else if (line.startsWith(`${name}_count`)) h.count = value;
    else if (line.startsWith(`${name}_sum`)) h.sum = value;
  }
  return h;
}

/** How many observations of `h` exceeded `bound` (a bucket boundary). */
export const overBound = (h: Histogram, bound: number) =>
  h.count - (h.buckets.find(([le]) => le === bound)?.[1] ?? h.count);
