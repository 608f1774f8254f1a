import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** GOGC of the local cluster's running kube-apiserver (hack/cluster/up sets it), or '?' elsewhere. */
function apiserverGogc(): string {
  try {
    const dir = process.env.AGENTS_CLUSTER_DIR ?? path.join(REPO_ROOT, '.cluster');
    const pid = readFileSync(path.join(dir, 'pids/kube-apiserver'), 'utf8').trim();
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return env.find((e) => e.startsWith('GOGC='))?.slice(5) ?? '100 (default)';
  } catch {
    return '?';
  }
}

/** The conditions a figure was measured under, printed with every result (PERF-GOALS §2). */
export function conditions(extra: Record<string, string | number>): Record<string, string | number> {
  const commit = (() => {
    try {
      return execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const versions = Object.fromEntries(
    readFileSync(path.join(REPO_ROOT, 'hack/versions.env'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=') as [string, string]),
  );
  return {
    node: process.version,
    commit,
    kubernetes: versions.KUBE_VERSION ?? '?',
    'kwok version': versions.KWOK_VERSION ?? '?',
    cpus: (readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm) ?? []).length,
    'kube-apiserver': `--max-requests-inflight=1000 --max-mutating-requests-inflight=500, GOGC=${apiserverGogc()}`,
    'kube-controller-manager': '--kube-api-qps=1000 --kube-api-burst=2000 --concurrent-job-syncs=20',
    'kube-scheduler': '--kube-api-qps=1000 --kube-api-burst=2000',
    kwok: 'client not rate limited (kwok default)',
    ...extra,
  };
}

/** Resident set size of a process, in MiB (Linux). */
export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024;
}

/** `--name value` pairs of the command line (a lone `--`, as pnpm passes it, is skipped). */
export function flags(argv = process.argv.slice(2)): Map<string, string> {
  const out = new Map<string, string>();
  const rest = argv.filter((a) => a !== '--');
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}: flags are --name value`);
    out.set(a.slice(2), rest[i + 1] ?? '');
    i += 1;
  }
  return out;
}

type App = 'controllers' | 'control-plane';
const dockerfileOf = (app: App) => readFileSync(path.join(REPO_ROOT, 'apps', app, 'Dockerfile'), 'utf8');

/** A variable that an app's image sets with `ENV NAME=value` or `ENV NAME="value"`, undefined if it sets none. */
export function imageEnv(app: App, name: string): string | undefined {
  const m = new RegExp(`^ENV .*\\b${name}=(?:"([^"]*)"|(\\S*))`, 'm').exec(dockerfileOf(app));
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * The Node flags an app's image runs with, as arguments: its `ENV NODE_OPTIONS="…"`, then the flags its ENTRYPOINT
 * gives node before the script (V8 flags that NODE_OPTIONS does not accept go there).
 */
export function imageNodeFlags(app: App): string[] {
  const env = imageEnv(app, 'NODE_OPTIONS')?.split(/\s+/).filter(Boolean) ?? [];
  const entrypoint = /^ENTRYPOINT (\[.*\])\s*$/m.exec(dockerfileOf(app))?.[1];
  const argv = entrypoint ? (JSON.parse(entrypoint) as string[]) : [];
  const flagsBeforeScript = argv[0] === 'node' ? argv.slice(1).filter((a) => a.startsWith('--')) : [];
  return [...env, ...flagsBeforeScript];
}
