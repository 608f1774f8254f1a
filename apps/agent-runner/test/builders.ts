/** Run files as the controllers write them, with overrides: makeRunSpec({ prompt: 'x' }). */
import { RUNNER_SCHEMA_VERSION, type RunSpecFile, type RunnerSpecFile } from '@agents/api';
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

export function makeRunnerSpec(
  overrides: Omit<Partial<RunnerSpecFile>, 'provider'> & { provider?: Partial<RunnerSpecFile['provider']> } = {},
): RunnerSpecFile {
  const { provider, ...rest } = overrides;
  return {
    schemaVersion: RUNNER_SCHEMA_VERSION,
    inputs: { branch: 'fix/bug-1' },
    payloads: { eventFilePath: '/workspace/run.json' },
    artifacts: {
      statusPath: '/workspace/.agent/status.json',
      logPath: '/workspace/.agent/runner.log',
      logRetentionSeconds: 604800,
    },
    systemPrompt: { sha256: sha256(SYSTEM_PROMPT) },
    events: { subjectPrefix: 'workflow.agents.fix-bug-1.3f1c-uid.agent.coder.', agentId: 'coder' },
    ...rest,
    provider: {
      name: 'shell',
      binary: '/bin/sh',
      argsTemplate: [],
      envTemplate: {},
      inputFiles: [],
      outputArtifacts: [],
      ...provider,
    },
  };
}
