/**
 * What the runner will do, computed from its inputs alone. Pure: no file system, no clock, no environment reads —
 * the caller passes the run files, the mounted system prompt text and its own environment.
 */
import {
  renderTemplate,
  templateError,
  type ArtifactRef,
  type ExecAdapterSpec,
  type RunSpecFile,
  type RunnerSpecFile,
} from '@agents/api';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { RunnerError, type FieldViolation } from '../runner.errors.js';
import { agentDir, rebaseWorkspacePath, rebaseWorkspaceValue } from './paths.util.js';

export interface PlanInput {
  run: RunSpecFile;
  runner: RunnerSpecFile;
  workspaceDir: string;
  /** The runner's environment: the base of the provider's. */
  runnerEnv: Readonly<Record<string, string>>;
  /** The text of the mounted system prompt (agent-runner.json `systemPrompt.path`), when there is one. */
  mountedSystemPrompt?: string;
  /** AGENT_RUNNER_STATUS_PATH. */
  statusPathOverride?: string;
}

/** A file the runner writes before starting the provider. */
export interface PlannedFile {
  path: string;
  content: string;
  /** What it is, for error messages: "input file provider.inputFiles[0]", "system prompt". */
  what: string;
}

export interface RunPlan {
  binary: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  timeoutSeconds?: number;
  files: PlannedFile[];
  statusPath: string;
  logPath: string;
  /** Declared outputs, rendered and mapped onto the workspace; the status lists those that exist at the end. */
  outputArtifacts: ArtifactRef[];
}

/** The values placeholders of argsTemplate, envTemplate and outputArtifacts can name. */
export function templateContext(run: RunSpecFile): Record<string, unknown> {
  return {
    agentRun: run.agentRun,
    agent: run.agent,
    implementation: run.implementation,
    parameters: run.parameters,
    inputs: run.parameters,
    memory: run.memory,
    vcs: run.vcs ?? {},
    prompt: run.prompt,
    metadata: run.metadata,
    goal: run.goal ?? {},
  };
}

/** Where the status and the log go; usable before agent-runner.json could be read (then the contract defaults). */
export function outputPaths(
  runner: Pick<RunnerSpecFile, 'artifacts'> | undefined,
  workspaceDir: string,
  statusPathOverride?: string,
): { statusPath: string; logPath: string } {
  return {
    statusPath: statusPathOverride
      ? path.resolve(statusPathOverride)
      : rebaseWorkspacePath(runner?.artifacts.statusPath ?? '/workspace/.agent/status.json', workspaceDir),
    logPath: rebaseWorkspacePath(runner?.artifacts.logPath ?? '/workspace/.agent/runner.log', workspaceDir),
  };
}

/** The mounted system prompt file to read, if agent-runner.json names one. */
export function mountedSystemPromptPath(runner: RunnerSpecFile, workspaceDir: string): string | undefined {
  return runner.systemPrompt?.path ? rebaseWorkspacePath(runner.systemPrompt.path, workspaceDir) : undefined;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function render(template: string, field: string, context: unknown, violations: FieldViolation[]): string {
  const problem = templateError(template);
  if (problem) violations.push({ field, expected: 'a valid template', received: problem });
  return renderTemplate(template, context);
}

function systemPromptText(input: PlanInput): { text: string; source: string } | undefined {
  const expected = input.runner.systemPrompt;
  if (!expected) return undefined;
  let prompt: { text: string; source: string };
  if (expected.path !== undefined) {
    if (input.mountedSystemPrompt === undefined)
      throw new RunnerError('SystemPromptUnreadable', `the system prompt file ${expected.path} was not read`);
    prompt = { text: input.mountedSystemPrompt, source: `the mounted file ${expected.path}` };
  } else if (input.run.systemPrompt !== undefined) {
    prompt = { text: input.run.systemPrompt, source: 'run.json systemPrompt' };
  } else {
    throw new RunnerError(
      'SystemPromptUnreadable',
      'agent-runner.json expects a system prompt (systemPrompt.sha256) but sets no systemPrompt.path and run.json has no systemPrompt',
    );
  }
  const actual = sha256(prompt.text);
  if (actual !== expected.sha256)
    throw new RunnerError(
      'SystemPromptMismatch',
      `system prompt hash mismatch: agent-runner.json systemPrompt.sha256 is ${expected.sha256}, ${prompt.source} hashes to ${actual}`,
    );
  return prompt;
}

/** The provider's command; this runner drives exec adapters only. */
export function execAdapter(runner: RunnerSpecFile): ExecAdapterSpec {
  const { adapter } = runner;
  if (adapter.type !== 'exec' || !adapter.exec)
    throw new RunnerError(
      'SpecInvalid',
      `agent-runner.json adapter.type is ${JSON.stringify(adapter.type)}: this runner drives "exec" adapters only; ` +
        `give the AgentProvider its own binary (not the runner) or set its adapter.type to "exec"`,
    );
  if (path.basename(adapter.exec.binary) === 'agent-runner')
    throw new RunnerError(
      'SpecInvalid',
      `agent-runner.json adapter.exec.binary is the runner itself (${adapter.exec.binary}): set the provider's own command`,
    );
  return adapter.exec;
}

export function planRun(input: PlanInput): RunPlan {
  const { run, runner, workspaceDir } = input;
  const provider = execAdapter(runner);
  const context = templateContext(run);
  const violations: FieldViolation[] = [];
  const local = (value: string) => rebaseWorkspaceValue(value, workspaceDir);
  const args = provider.argsTemplate.map((t, i) =>
    local(render(t, `adapter.exec.argsTemplate[${i}]`, context, violations)),
  );
  const renderedEnv = Object.fromEntries(
    Object.entries(provider.envTemplate).map(([k, t]) => [
      k,
      local(render(t, `adapter.exec.envTemplate.${k}`, context, violations)),
    ]),
  );
  const outputArtifacts = provider.outputArtifacts.map((a, i) => {
    const field = `adapter.exec.outputArtifacts[${i}]`;
    const rendered: ArtifactRef = { name: a.name };
    if (a.path !== undefined)
      rendered.path = rebaseWorkspacePath(render(a.path, `${field}.path`, context, violations), workspaceDir);
    if (a.key !== undefined) rendered.key = render(a.key, `${field}.key`, context, violations);
    if (a.url !== undefined) rendered.url = render(a.url, `${field}.url`, context, violations);
    return rendered;
  });
  if (violations.length)
    throw new RunnerError(
      'TemplateInvalid',
      `invalid templates in agent-runner.json: ${violations.map((v) => `${v.field}: ${v.received}`).join('; ')}`,
      { violations },
    );

  const files: PlannedFile[] = provider.inputFiles.map((f, i) => ({
    path: rebaseWorkspacePath(f.path, workspaceDir),
    content: f.content,
    what: `input file adapter.exec.inputFiles[${i}]`,
  }));
  const promptPath = path.join(agentDir(workspaceDir), 'prompt.txt');
  files.push({ path: promptPath, content: run.prompt, what: 'prompt' });
  const env: Record<string, string> = { ...input.runnerEnv, ...renderedEnv, AGENT_PROMPT_PATH: promptPath };
  const systemPrompt = systemPromptText(input);
  if (systemPrompt) {
    const systemPromptPath = path.join(agentDir(workspaceDir), 'system-prompt.txt');
    files.push({ path: systemPromptPath, content: systemPrompt.text, what: 'system prompt' });
    env.AGENT_SYSTEM_PROMPT_PATH = systemPromptPath;
  }

  return {
    binary: local(provider.binary),
    args,
    env,
    cwd: workspaceDir,
    ...(runner.timeoutSeconds !== undefined ? { timeoutSeconds: runner.timeoutSeconds } : {}),
    files,
    ...outputPaths(runner, workspaceDir, input.statusPathOverride),
    outputArtifacts,
  };
}
