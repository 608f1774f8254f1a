/**
 * The contract between the controllers and the agent runner (the program of every AgentRun Job):
 * /workspace/run.json (the run), /workspace/agent-runner.json (how to run the provider) and the terminal status the
 * runner writes to /workspace/.agent/status.json, which Kubernetes turns into the container's termination message.
 */
import type { ArtifactRef, ImplementationSpecFields } from './schema/common.js';

export const RUNNER_SCHEMA_VERSION = 'agents.proompteng.ai/runner/v1';

export const RUNNER_PATHS = {
  workspace: '/workspace',
  runSpec: '/workspace/run.json',
  runnerSpec: '/workspace/agent-runner.json',
  status: '/workspace/.agent/status.json',
  log: '/workspace/.agent/runner.log',
  /** Where a Secret or ConfigMap system prompt is mounted (as system-prompt.txt). */
  systemPromptDir: '/workspace/.codex',
  systemPromptFile: 'system-prompt.txt',
} as const;

export interface RunSpecFile {
  provider: string;
  agentRun: { name: string; uid: string; namespace: string };
  agent: { name: string; config?: Record<string, unknown>; env?: { name: string; value: string }[] };
  implementation: ImplementationSpecFields;
  /** The rendered implementation text: the agent's prompt. */
  prompt: string;
  parameters: Record<string, string>;
  memory: { type: string; connectionRef: { name: string; key?: string } } | null;
  artifacts: ArtifactRef[];
  vcs?: Record<string, unknown>;
  goal?: { objective: string; tokenBudget?: number };
  /** Inline system prompt (a prompt from a Secret or ConfigMap is mounted as a file instead). */
  systemPrompt?: string;
  metadata: Record<string, string>;
  /** On a workflow run: the step this Job is an attempt of. */
  workflowStep?: { name: string; index: number; attempt: number; iteration?: number };
}

/** The exec adapter: the runner renders and runs the provider's own command. */
export interface ExecAdapterSpec {
  binary: string;
  argsTemplate: string[];
  envTemplate: Record<string, string>;
  inputFiles: { path: string; content: string }[];
  outputArtifacts: ArtifactRef[];
}

export const RUNNER_ADAPTER_TYPES = ['exec', 'codex-app-server'] as const;
export type RunnerAdapterType = (typeof RUNNER_ADAPTER_TYPES)[number];

/**
 * How the runner drives the provider. `exec` carries the provider's command; `codex-app-server` carries the `codex`
 * settings of a provider whose binary is the runner itself. Other keys of a provider's explicit `adapter` map are
 * passed through (never `secretEnv`).
 */
export interface RunnerAdapter {
  type: RunnerAdapterType;
  exec?: ExecAdapterSpec;
  codex?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RunnerSpecFile {
  schemaVersion: typeof RUNNER_SCHEMA_VERSION;
  /** The AgentProvider's name. */
  provider: string;
  inputs: Record<string, string>;
  goal?: { objective: string; tokenBudget?: number };
  /** Seconds before the runner stops the provider (undefined = no limit). */
  timeoutSeconds?: number;
  payloads: { eventFilePath: string };
  artifacts: { statusPath: string; logPath: string; logRetentionSeconds: number };
  providerSpec: { outputArtifacts: ArtifactRef[] };
  adapter: RunnerAdapter;
  systemPrompt?: { path?: string; sha256: string };
  /** Where run events go: the run-scoped subject without its final <kind> token (the runner appends it). */
  events: { subjectPrefix: string; agentId: string };
  /**
   * On an iteration of a workflow step's loop: the file the provider writes its loop control JSON to. The runner
   * hands it back in its terminal status (`loopControl`), and the controller decides from it whether to go round.
   */
  loop?: { controlPath: string };
}

export type RunnerOutcome = 'succeeded' | 'failed' | 'cancelled';

/** The terminal status JSON (kept under 4 KiB: it travels as a termination message). */
export interface RunnerStatusFile {
  status: RunnerOutcome;
  exitCode: number | null;
  signal?: string | null;
  startedAt: string;
  finishedAt: string;
  provider?: string;
  binary?: string;
  error?: string;
  artifacts?: ArtifactRef[];
  /** The JSON object of the loop control file (`loop.controlPath`), when the run spec names one and it was written. */
  loopControl?: Record<string, unknown>;
  /** Why the loop control file could not be handed back (not JSON, not an object, too large). */
  loopControlError?: string;
}
