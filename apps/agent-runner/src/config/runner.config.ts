/** Where the runner finds its inputs and writes its status; each path can be overridden for local runs. */
export interface RunnerConfig {
  readonly runSpecPath: string;
  readonly runnerSpecPath: string;
  readonly statusPath: string;
  readonly natsUrl: string | undefined;
}

/** The only place the runner reads process.env. */
export function loadRunnerConfig(env: Record<string, string | undefined> = process.env): RunnerConfig {
  return {
    runSpecPath: env.AGENT_RUN_SPEC || '/workspace/run.json',
    runnerSpecPath: env.AGENT_RUNNER_SPEC_PATH || '/workspace/agent-runner.json',
    statusPath: env.AGENT_RUNNER_STATUS_PATH || '/workspace/.agent/status.json',
    natsUrl: env.NATS_URL || undefined,
  };
}
