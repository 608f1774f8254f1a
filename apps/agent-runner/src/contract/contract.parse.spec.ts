import { makeRunSpec, makeRunnerSpec } from '../../test/builders.js';
import { RunnerError } from '../runner.errors.js';
import { parseRunSpec, parseRunnerSpec } from './contract.parse.js';

const json = (v: unknown) => JSON.stringify(v);

function failure(parse: () => unknown): RunnerError {
  try {
    parse();
  } catch (err) {
    if (err instanceof RunnerError) return err;
    throw err;
  }
  throw new Error('expected the parse to fail');
}

describe('parseRunSpec', () => {
  it('accepts the run.json the controllers write', () => {
    const spec = makeRunSpec({ vcs: { repository: 'acme/app' }, goal: { objective: 'green build' } });
    expect(parseRunSpec(json(spec), '/w/run.json')).toEqual(spec);
  });

  it('fills what an older run.json leaves out', () => {
    const { parameters: _p, metadata: _m, artifacts: _a, agent: _g, ...rest } = makeRunSpec();
    expect(parseRunSpec(json(rest), '/w/run.json')).toMatchObject({ parameters: {}, metadata: {}, artifacts: [] });
  });

  it.each([
    ['text that is not JSON', '{"provider":', /^invalid \/w\/run\.json: not JSON \(/],
    ['a JSON array', '[]', /^invalid \/w\/run\.json: expected a JSON object, got an array$/],
    [
      'a run without its identity',
      json({ ...makeRunSpec(), agentRun: { name: 'r', uid: '' } }),
      /agentRun\.uid: expected a non-empty string, received ""; agentRun\.namespace: expected a non-empty string, received nothing/,
    ],
    [
      'parameters that are not strings',
      json({ ...makeRunSpec(), parameters: { retries: 3 } }),
      /parameters\.retries: expected a string, received number 3/,
    ],
    ['a missing prompt', json({ ...makeRunSpec(), prompt: undefined }), /prompt: expected a string, received nothing/],
  ])('names the file and the broken field for %s', (_case, text, want) => {
    const err = failure(() => parseRunSpec(text, '/w/run.json'));
    expect(err.code).toBe('SpecInvalid');
    expect(err.message).toMatch(want);
  });
});

describe('parseRunnerSpec', () => {
  it('accepts the agent-runner.json the controllers write', () => {
    const spec = makeRunnerSpec({
      timeoutSeconds: 60,
      provider: {
        argsTemplate: ['-c', 'echo {{agentRun.name}}'],
        envTemplate: { A: 'b' },
        inputFiles: [{ path: '/workspace/task.md', content: 'x' }],
        outputArtifacts: [{ name: 'log', path: '/workspace/.agent/runner.log' }],
      },
      systemPrompt: { sha256: 'a'.repeat(64), path: '/workspace/.codex/system-prompt.txt' },
    });
    expect(parseRunnerSpec(json(spec), '/w/agent-runner.json')).toEqual(spec);
  });

  it('lists every broken field in one error', () => {
    const spec = {
      ...makeRunnerSpec(),
      schemaVersion: 'v0',
      provider: 7,
      adapter: { type: 'exec', exec: { binary: '', argsTemplate: ['ok', 7] } },
      timeoutSeconds: -5,
      systemPrompt: { sha256: 'abc' },
      events: { subjectPrefix: 'workflow.a.b', agentId: 'coder' },
    };
    const err = failure(() => parseRunnerSpec(json(spec), '/w/agent-runner.json'));
    expect(err.violations.map((v) => v.field)).toEqual([
      'schemaVersion',
      'provider',
      'adapter.exec.binary',
      'adapter.exec.argsTemplate[1]',
      'timeoutSeconds',
      'systemPrompt.sha256',
      'events.subjectPrefix',
    ]);
    expect(err.message).toMatch(
      /^invalid \/w\/agent-runner\.json: schemaVersion: expected "agents\.proompteng\.ai\/runner\/v1", received "v0"; provider: expected a string, received number 7; adapter\.exec\.binary: expected a non-empty string, received ""/,
    );
  });

  it('keeps the loop control path of a loop iteration and refuses a relative one', () => {
    const spec = { ...makeRunnerSpec(), loop: { controlPath: '/workspace/.agentrun/loop-control.json' } };
    expect(parseRunnerSpec(json(spec), 'f').loop).toEqual({ controlPath: '/workspace/.agentrun/loop-control.json' });
    const err = failure(() => parseRunnerSpec(json({ ...spec, loop: { controlPath: 'ctl.json' } }), 'f'));
    expect(err.message).toMatch(/loop\.controlPath: expected an absolute path, received "ctl\.json"/);
  });

  it('keeps a codex-app-server adapter and refuses an unknown adapter type', () => {
    const codex = { ...makeRunnerSpec(), adapter: { type: 'codex-app-server', codex: { model: 'm' } } };
    expect(parseRunnerSpec(json(codex), 'f').adapter).toEqual({ type: 'codex-app-server', codex: { model: 'm' } });
    const err = failure(() => parseRunnerSpec(json({ ...codex, adapter: { type: 'temporal' } }), 'f'));
    expect(err.message).toMatch(/adapter\.type: expected "exec" or "codex-app-server", received "temporal"/);
  });

  it('defaults the status and log paths to the contract', () => {
    const { artifacts: _a, ...rest } = makeRunnerSpec();
    expect(parseRunnerSpec(json(rest), 'f').artifacts).toMatchObject({
      statusPath: '/workspace/.agent/status.json',
      logPath: '/workspace/.agent/runner.log',
    });
  });
});
