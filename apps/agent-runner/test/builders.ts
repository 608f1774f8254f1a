/** Run files as the controllers write them, with overrides: makeRunSpec({ prompt: 'x' }). */
import { RUNNER_SCHEMA_VERSION, type ExecAdapterSpec, type RunSpecFile, type RunnerSpecFile } from '@agents/api';
import { createHash } from 'node:crypto';

export const SYSTEM_PROMPT = 'You are a careful engineer.';
export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function makeRunSpec(overrides: Partial<RunSpecFile> = {}): RunSpecFile {
  return {
    provider: 'shell',
    agentRun: { name: 'fix-bug-1', uid: '3f1c-uid', namespace: 'agents' },
    agent: { name: 'coder', config: { model: 'small' } },
    implementation: { text: 'Fix the bug', summary: 'Fix bug 1' },
    prompt: 'Fix the bug in parser.ts',
    parameters: { branch: 'fix/bug-1' },
    memory: null,
    artifacts: [],
    systemPrompt: SYSTEM_PROMPT,
    metadata: { repository: 'acme/app' },
    ...overrides,
  };
}

/** agent-runner.json with an exec adapter; `provider` overrides the provider name and its exec command. */
export function makeRunnerSpec(
  overrides: Omit<Partial<RunnerSpecFile>, 'provider'> & {
    provider?: Partial<ExecAdapterSpec> & { name?: string };
  } = {},
): RunnerSpecFile {
  const { provider = {}, ...rest } = overrides;
  const { name = 'shell', ...exec } = provider;
  const adapterExec: ExecAdapterSpec = {
    binary: '/bin/sh',
    argsTemplate: [],
    envTemplate: {},
    inputFiles: [],
    outputArtifacts: [],
    ...exec,
  };
  return {
    schemaVersion: RUNNER_SCHEMA_VERSION,
    provider: name,
    inputs: { branch: 'fix/bug-1' },
    payloads: { eventFilePath: '/workspace/run.json' },
    artifacts: {
      statusPath: '/workspace/.agent/status.json',
      logPath: '/workspace/.agent/runner.log',
      logRetentionSeconds: 604800,
    },
    providerSpec: { outputArtifacts: adapterExec.outputArtifacts },
    adapter: { type: 'exec', exec: adapterExec },
    systemPrompt: { sha256: sha256(SYSTEM_PROMPT) },
    events: { subjectPrefix: 'workflow.agents.fix-bug-1.3f1c-uid.agent.coder.', agentId: 'coder' },
    ...rest,
  };
}
