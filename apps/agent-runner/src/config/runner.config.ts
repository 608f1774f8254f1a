import { RUNNER_PATHS } from '@agents/api';
import path from 'node:path';
import { rebaseWorkspacePath } from '../plan/paths.util.js';

/**
 * How the runner is configured: everything comes from its environment, read here once.
 *
 * In a Job pod the controllers set AGENT_RUN_SPEC / AGENT_RUNNER_SPEC_PATH to the files under /workspace. For a local
 * run, point them at a directory of your own: the workspace then defaults to the directory of the run spec, and every
 * contract path under /workspace (status, log, input files, system prompt) is mapped onto it.
 */
export interface RunnerConfig {
  readonly runSpecPath: string;
  readonly runnerSpecPath: string;
  /** Overrides agent-runner.json `artifacts.statusPath`. */
  readonly statusPath: string | undefined;
  /** The provider's working directory; `/workspace` paths of the contract are mapped onto it. */
  readonly workspaceDir: string;
  /** Identifies this runner process in message ids: the pod name in a pod, undefined elsewhere (a random id is used). */
  readonly runnerId: string | undefined;
  readonly killGraceMs: number;
  readonly events: {
    readonly natsUrl: string | undefined;
    readonly natsUser: string | undefined;
    readonly natsPassword: string | undefined;
    readonly bufferSize: number;
    readonly flushTimeoutMs: number;
  };
  /** The runner's own environment, handed on to the provider. */
  readonly env: Readonly<Record<string, string>>;
}

export class RunnerConfigError extends Error {
  constructor(
    readonly problems: string[],
    /** Where the failed status goes although the configuration is unusable. */
    readonly statusPath: string,
  ) {
    super(`invalid environment: ${problems.join('; ')}`);
    this.name = 'RunnerConfigError';
  }
}

type Env = Record<string, string | undefined>;

function number(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    problems.push(`${name}=${JSON.stringify(raw)}: expected a number from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

/** The only place the runner reads process.env. Throws one RunnerConfigError listing every bad variable. */
export function loadRunnerConfig(env: Env = process.env): RunnerConfig {
  const problems: string[] = [];
  const runSpecPath = env.AGENT_RUN_SPEC || RUNNER_PATHS.runSpec;
  const runnerSpecPath = env.AGENT_RUNNER_SPEC_PATH || RUNNER_PATHS.runnerSpec;
  const workspaceDir = path.resolve(env.AGENT_RUNNER_WORKSPACE || path.dirname(path.resolve(runSpecPath)));
  const statusPath = env.AGENT_RUNNER_STATUS_PATH || undefined;
  const natsUrl = env.NATS_URL || undefined;
  if (natsUrl && !/^(nats|tls|wss?):\/\//.test(natsUrl))
    problems.push(`NATS_URL=${JSON.stringify(natsUrl)}: expected a nats://, tls:// or ws(s):// URL`);
  const config: RunnerConfig = {
    runSpecPath,
    runnerSpecPath,
    statusPath,
    workspaceDir,
    runnerId: env.AGENT_RUNNER_ID || (env.KUBERNETES_SERVICE_HOST ? env.HOSTNAME : undefined) || undefined,
    killGraceMs: number(env, 'AGENT_RUNNER_KILL_GRACE_SECONDS', 10, 0, 3600, problems) * 1000,
    events: {
      natsUrl,
      natsUser: env.NATS_USER || undefined,
      natsPassword: env.NATS_PASSWORD || undefined,
      bufferSize: number(env, 'AGENT_RUNNER_EVENTS_BUFFER', 10_000, 1, 1_000_000, problems),
      flushTimeoutMs: number(env, 'AGENT_RUNNER_EVENTS_FLUSH_SECONDS', 10, 0, 600, problems) * 1000,
    },
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
  };
  if (problems.length)
    throw new RunnerConfigError(problems, statusPath ?? rebaseWorkspacePath(RUNNER_PATHS.status, workspaceDir));
  return config;
}
