import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** The machine's logical CPUs (all of them, not this process's affinity). */
const cpuCount = () => os.cpus().length;

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
    cpus: cpuCount(),
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

/** `--env NAME=VALUE,…`: settings to try on the app under test before its image or chart adopts them. */
export function envFlag(args: Map<string, string>): Record<string, string> {
  return Object.fromEntries(
    (args.get('env') ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => {
        const eq = kv.indexOf('=');
        if (eq < 1) throw new Error(`--env ${kv}: expected NAME=VALUE`);
        return [kv.slice(0, eq), kv.slice(eq + 1)];
      }),
  );
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

/** CPU seconds (user + system) a process has used so far (Linux; 0 when it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces): state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** USER_HZ: the unit of /proc's CPU times, 100 on every Linux build this runs on. */
const CLOCK_TICKS = 100;

/** The ids of the running processes whose command name is `comm` (e.g. every `postgres` backend). */
export function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU seconds the whole machine has spent busy (all but idle and iowait) so far. */
function machineBusySeconds(): number {
  const [, ...times] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const t = times.map(Number);
  const total = t.reduce((a, b) => a + b, 0);
  return (total - t[3]! - t[4]!) / CLOCK_TICKS;
}

/**
 * Who used the CPU from this call until `stop()`: each named process (several pids are summed, so `postgres`
 * counts every backend), this process, and the machine as a whole; as a percentage of one core.
 */
export function cpuShare(named: Record<string, () => number[]>): {
  stop(): string;
  /** CPU seconds a named process used between the start and stop(). */
  seconds(name: string): number;
} {
  const read = () => ({
    at: performance.now(),
    machine: machineBusySeconds(),
    self: process.cpuUsage(),
    named: Object.fromEntries(
      Object.entries(named).map(([k, pids]) => [k, new Map(pids().map((p) => [p, cpuSeconds(p)]))]),
    ),
  });
  const begin = read();
  const used = new Map<string, number>();
  return {
    stop() {
      const end = read();
      const seconds = (end.at - begin.at) / 1000;
      const pct = (cpu: number) => `${((cpu / seconds) * 100).toFixed(0)} %`;
      const parts = Object.entries(end.named).map(([k, now]) => {
        let cpu = 0;
        for (const [pid, s] of now) cpu += s - (begin.named[k]!.get(pid) ?? 0);
        used.set(k, cpu);
        return `${k} ${pct(cpu)}`;
      });
      const self = process.cpuUsage(begin.self);
      parts.push(`benchmark ${pct((self.user + self.system) / 1e6)}`);
      parts.push(`machine ${pct(end.machine - begin.machine)} of ${cpuCount() * 100} %`);
      return parts.join(', ');
    },
    seconds: (name) => used.get(name) ?? NaN,
  };
}
