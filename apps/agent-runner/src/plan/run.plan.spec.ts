import { SYSTEM_PROMPT, makeRunSpec, makeRunnerSpec, sha256 } from '../../test/builders.js';
import { RunnerError } from '../runner.errors.js';
import { outputPaths, planRun, type PlanInput } from './run.plan.js';

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    run: makeRunSpec(),
    runner: makeRunnerSpec(),
    workspaceDir: '/workspace',
    runnerEnv: { PATH: '/bin' },
    ...overrides,
  };
}

function planError(i: PlanInput): RunnerError {
  try {
    planRun(i);
  } catch (err) {
    if (err instanceof RunnerError) return err;
    throw err;
  }
  throw new Error('expected planRun to fail');
}

describe('planRun', () => {
  it('renders args and env over the run', () => {
    const plan = planRun(
      input({
        runner: makeRunnerSpec({
          provider: {
            binary: '/usr/local/bin/codex',
            argsTemplate: ['exec', '--model', '{{agent.config.model}}', '${implementation.text}', '{{inputs.branch}}'],
            envTemplate: { RUN: '{{agentRun.namespace}}/{{agentRun.name}}', REPO: '{{metadata.repository}}' },
          },
        }),
      }),
    );
    expect(plan).toMatchObject({
      binary: '/usr/local/bin/codex',
      args: ['exec', '--model', 'small', 'Fix the bug', 'fix/bug-1'],
      cwd: '/workspace',
    });
    expect(plan.env).toMatchObject({ PATH: '/bin', RUN: 'agents/fix-bug-1', REPO: 'acme/app' });
  });

  it('hands the provider the prompt and the verified system prompt as files', () => {
    const plan = planRun(input());
    expect(plan.files).toEqual([
      { path: '/workspace/.agent/prompt.txt', content: 'Fix the bug in parser.ts', what: 'prompt' },
      { path: '/workspace/.agent/system-prompt.txt', content: SYSTEM_PROMPT, what: 'system prompt' },
    ]);
    expect(plan.env).toMatchObject({
      AGENT_PROMPT_PATH: '/workspace/.agent/prompt.txt',
      AGENT_SYSTEM_PROMPT_PATH: '/workspace/.agent/system-prompt.txt',
    });
  });

  it('takes a mounted system prompt over the inline one', () => {
    const mounted = 'From a ConfigMap.';
    const runner = makeRunnerSpec({
      systemPrompt: { sha256: sha256(mounted), path: '/workspace/.codex/system-prompt.txt' },
    });
    const plan = planRun(
      input({ runner, run: makeRunSpec({ systemPrompt: undefined }), mountedSystemPrompt: mounted }),
    );
    expect(plan.files.find((f) => f.what === 'system prompt')?.content).toBe(mounted);
  });

  it('runs without a system prompt when the contract has none', () => {
    const { systemPrompt: _s, ...runner } = makeRunnerSpec();
    const plan = planRun(input({ runner }));
    expect(plan.env.AGENT_SYSTEM_PROMPT_PATH).toBeUndefined();
  });

  it.each([
    [
      'a system prompt that does not match its hash',
      input({ run: makeRunSpec({ systemPrompt: 'You are careless.' }) }),
      'SystemPromptMismatch',
      /system prompt hash mismatch: agent-runner\.json systemPrompt\.sha256 is [0-9a-f]{64}, run\.json systemPrompt hashes to [0-9a-f]{64}/,
    ],
    [
      'a hash without any system prompt',
      input({ run: makeRunSpec({ systemPrompt: undefined }) }),
      'SystemPromptUnreadable',
      /sets no systemPrompt\.path and run\.json has no systemPrompt/,
    ],
    [
      'a malformed template',
      input({ runner: makeRunnerSpec({ provider: { argsTemplate: ['ok', '{{ agentRun name }}'] } }) }),
      'TemplateInvalid',
      /adapter\.exec\.argsTemplate\[1\]: malformed placeholder/,
    ],
    [
      'the runner as its own provider',
      input({ runner: makeRunnerSpec({ provider: { binary: '/usr/local/bin/agent-runner' } }) }),
      'SpecInvalid',
      /adapter\.exec\.binary is the runner itself/,
    ],
    [
      'a Codex app-server adapter',
      input({ runner: { ...makeRunnerSpec(), adapter: { type: 'codex-app-server', codex: { model: 'm' } } } }),
      'SpecInvalid',
      /adapter\.type is "codex-app-server": this runner drives "exec" adapters only/,
    ],
  ])('refuses %s', (_case, i, code, message) => {
    const err = planError(i);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });

  it('maps /workspace onto a local workspace: files, env values, args and outputs', () => {
    const plan = planRun(
      input({
        workspaceDir: '/tmp/run-1',
        runner: makeRunnerSpec({
          provider: {
            argsTemplate: ['-c', 'cat "$TASK_FILE"', '/workspace/out'],
            envTemplate: { TASK_FILE: '/workspace/task.md', URL: 'http://x/workspace/y' },
            inputFiles: [
              { path: '/workspace/task.md', content: 'Do it' },
              { path: '/etc/agent/config.toml', content: 'a = 1' },
              { path: 'notes/todo.md', content: '-' },
            ],
            outputArtifacts: [
              { name: 'patch', path: '/workspace/{{agentRun.name}}.patch', url: 'https://x/{{agentRun.uid}}' },
            ],
          },
        }),
      }),
    );
    expect(plan.args).toEqual(['-c', 'cat "$TASK_FILE"', '/tmp/run-1/out']);
    expect(plan.env).toMatchObject({ TASK_FILE: '/tmp/run-1/task.md', URL: 'http://x/workspace/y' });
    expect(plan.files.slice(0, 3).map((f) => f.path)).toEqual([
      '/tmp/run-1/task.md',
      '/etc/agent/config.toml',
      '/tmp/run-1/notes/todo.md',
    ]);
    expect(plan).toMatchObject({
      cwd: '/tmp/run-1',
      statusPath: '/tmp/run-1/.agent/status.json',
      logPath: '/tmp/run-1/.agent/runner.log',
      outputArtifacts: [{ name: 'patch', path: '/tmp/run-1/fix-bug-1.patch', url: 'https://x/3f1c-uid' }],
    });
  });

  it('passes the timeout on', () => {
    expect(planRun(input({ runner: makeRunnerSpec({ timeoutSeconds: 90 }) })).timeoutSeconds).toBe(90);
    expect(planRun(input()).timeoutSeconds).toBeUndefined();
  });
});

describe('outputPaths', () => {
  it.each([
    ['the contract paths in a pod', undefined, '/workspace', undefined, '/workspace/.agent/status.json'],
    ['the override of AGENT_RUNNER_STATUS_PATH', undefined, '/workspace', '/tmp/s.json', '/tmp/s.json'],
    [
      'agent-runner.json mapped onto a local workspace',
      makeRunnerSpec(),
      '/tmp/w',
      undefined,
      '/tmp/w/.agent/status.json',
    ],
  ])('uses %s', (_case, runner, workspace, override, want) => {
    expect(outputPaths(runner, workspace, override).statusPath).toBe(want);
  });
});
