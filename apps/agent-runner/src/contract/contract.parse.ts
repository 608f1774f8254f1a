/**
 * Parses and checks the two input files of the runner (run.json and agent-runner.json). Pure: text in, typed value
 * out, or a RunnerError that names the file and every broken field.
 */
import {
  RUNNER_ADAPTER_TYPES,
  RUNNER_PATHS,
  RUNNER_SCHEMA_VERSION,
  type ArtifactRef,
  type ExecAdapterSpec,
  type RunnerAdapter,
  type RunSpecFile,
  type RunnerSpecFile,
} from '@agents/api';
import { RunnerError, errorMessage, type FieldViolation } from '../runner.errors.js';

type Json = Record<string, unknown>;

function received(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects violations while reading fields; every getter returns a usable value (a default when broken). */
class Reader {
  readonly violations: FieldViolation[] = [];

  private fail(field: string, expected: string, value: unknown): void {
    this.violations.push({ field, expected, received: received(value) });
  }

  object(parent: Json, key: string, field: string, required = true): Json | undefined {
    const v = parent[key];
    if (v === undefined && !required) return undefined;
    if (!isObject(v)) {
      this.fail(field, 'an object', v);
      return undefined;
    }
    return v;
  }

  string(parent: Json | undefined, key: string, field: string, opts: { required?: boolean; nonEmpty?: boolean } = {}) {
    const { required = true, nonEmpty = false } = opts;
    const v = parent?.[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || (nonEmpty && v === '')) {
      this.fail(field, nonEmpty ? 'a non-empty string' : 'a string', v);
      return undefined;
    }
    return v;
  }

  stringMap(parent: Json, key: string, field: string): Record<string, string> {
    const v = parent[key];
    if (v === undefined) return {};
    if (!isObject(v)) {
      this.fail(field, 'an object of strings', v);
      return {};
    }
    for (const [k, item] of Object.entries(v))
      if (typeof item !== 'string') this.fail(`${field}.${k}`, 'a string', item);
    return v as Record<string, string>;
  }

  list(parent: Json, key: string, field: string): unknown[] {
    const v = parent[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.fail(field, 'an array', v);
      return [];
    }
    return v;
  }

  stringList(parent: Json, key: string, field: string): string[] {
    const items = this.list(parent, key, field);
    items.forEach((item, i) => {
      if (typeof item !== 'string') this.fail(`${field}[${i}]`, 'a string', item);
    });
    return items as string[];
  }

  artifacts(parent: Json, key: string, field: string): ArtifactRef[] {
    const items = this.list(parent, key, field);
    items.forEach((item, i) => {
      if (!isObject(item)) return this.fail(`${field}[${i}]`, 'an object', item);
      this.string(item, 'name', `${field}[${i}].name`, { nonEmpty: true });
      for (const k of ['path', 'key', 'url']) this.string(item, k, `${field}[${i}].${k}`, { required: false });
    });
    return items as ArtifactRef[];
  }

  positiveNumber(parent: Json, key: string, field: string): number | undefined {
    const v = parent[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      this.fail(field, 'a positive number of seconds', v);
      return undefined;
    }
    return v;
  }

  check(ok: boolean, field: string, expected: string, value: unknown): void {
    if (!ok) this.fail(field, expected, value);
  }
}

function parseJson(text: string, file: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RunnerError('SpecInvalid', `invalid ${file}: not JSON (${errorMessage(err)})`, { cause: err });
  }
  if (!isObject(value))
    throw new RunnerError('SpecInvalid', `invalid ${file}: expected a JSON object, got ${received(value)}`);
  return value;
}

function finish(file: string, reader: Reader): void {
  if (!reader.violations.length) return;
  const list = reader.violations.map((v) => `${v.field}: expected ${v.expected}, received ${v.received}`).join('; ');
  throw new RunnerError('SpecInvalid', `invalid ${file}: ${list}`, { violations: reader.violations });
}

/** run.json: the run (who, what, with which parameters). */
export function parseRunSpec(text: string, file: string): RunSpecFile {
  const json = parseJson(text, file);
  const r = new Reader();
  const provider = r.string(json, 'provider', 'provider') ?? '';
  const run = r.object(json, 'agentRun', 'agentRun');
  const agentRun = {
    name: r.string(run, 'name', 'agentRun.name', { nonEmpty: true }) ?? '',
    uid: r.string(run, 'uid', 'agentRun.uid', { nonEmpty: true }) ?? '',
    namespace: r.string(run, 'namespace', 'agentRun.namespace', { nonEmpty: true }) ?? '',
  };
  const agent = r.object(json, 'agent', 'agent', false) ?? {};
  r.string(agent, 'name', 'agent.name', { required: false });
  const implementation = r.object(json, 'implementation', 'implementation', false) ?? { text: '' };
  const prompt = r.string(json, 'prompt', 'prompt') ?? '';
  const parameters = r.stringMap(json, 'parameters', 'parameters');
  const metadata = r.stringMap(json, 'metadata', 'metadata');
  const memory = json.memory ?? null;
  r.check(memory === null || isObject(memory), 'memory', 'an object or null', memory);
  const artifacts = r.artifacts(json, 'artifacts', 'artifacts');
  const vcs = r.object(json, 'vcs', 'vcs', false);
  const goal = r.object(json, 'goal', 'goal', false);
  if (goal) r.string(goal, 'objective', 'goal.objective');
  const systemPrompt = r.string(json, 'systemPrompt', 'systemPrompt', { required: false });
  finish(file, r);
  return {
    provider,
    agentRun,
    agent: agent as RunSpecFile['agent'],
    implementation: implementation as RunSpecFile['implementation'],
    prompt,
    parameters,
    memory: memory as RunSpecFile['memory'],
    artifacts,
    ...(vcs ? { vcs } : {}),
    ...(goal ? { goal: goal as RunSpecFile['goal'] } : {}),
    ...(systemPrompt !== undefined ? { systemPrompt } : {}),
    metadata,
  };
}

/** `adapter`: its type, and for `exec` the provider's command (other keys are kept as given). */
function parseAdapter(r: Reader, a: Json): RunnerAdapter {
  const type = a.type;
  if (!(RUNNER_ADAPTER_TYPES as readonly unknown[]).includes(type)) {
    r.check(false, 'adapter.type', RUNNER_ADAPTER_TYPES.map((t) => JSON.stringify(t)).join(' or '), type);
    return { ...a, type: 'exec' };
  }
  if (type === 'codex-app-server') {
    const codex = r.object(a, 'codex', 'adapter.codex', false) ?? {};
    return { ...a, type: 'codex-app-server', codex };
  }
  const e = r.object(a, 'exec', 'adapter.exec') ?? {};
  const exec: ExecAdapterSpec = {
    binary: r.string(e, 'binary', 'adapter.exec.binary', { nonEmpty: true }) ?? '',
    argsTemplate: r.stringList(e, 'argsTemplate', 'adapter.exec.argsTemplate'),
    envTemplate: r.stringMap(e, 'envTemplate', 'adapter.exec.envTemplate'),
    inputFiles: r.list(e, 'inputFiles', 'adapter.exec.inputFiles').map((item, i) => {
      const field = `adapter.exec.inputFiles[${i}]`;
      if (!isObject(item)) {
        r.check(false, field, 'an object {path, content}', item);
        return { path: '', content: '' };
      }
      return {
        path: r.string(item, 'path', `${field}.path`, { nonEmpty: true }) ?? '',
        content: r.string(item, 'content', `${field}.content`) ?? '',
      };
    }),
    outputArtifacts: r.artifacts(e, 'outputArtifacts', 'adapter.exec.outputArtifacts'),
  };
  return { ...a, type: 'exec', exec };
}

/** agent-runner.json: how to run the provider and where results and events go. */
export function parseRunnerSpec(text: string, file: string): RunnerSpecFile {
  const json = parseJson(text, file);
  const r = new Reader();
  r.check(
    json.schemaVersion === RUNNER_SCHEMA_VERSION,
    'schemaVersion',
    JSON.stringify(RUNNER_SCHEMA_VERSION),
    json.schemaVersion,
  );
  const provider = r.string(json, 'provider', 'provider') ?? '';
  const ps = r.object(json, 'providerSpec', 'providerSpec', false) ?? {};
  const providerSpec = { outputArtifacts: r.artifacts(ps, 'outputArtifacts', 'providerSpec.outputArtifacts') };
  const adapter = parseAdapter(r, r.object(json, 'adapter', 'adapter') ?? {});
  const inputs = r.stringMap(json, 'inputs', 'inputs');
  const goal = r.object(json, 'goal', 'goal', false);
  if (goal) r.string(goal, 'objective', 'goal.objective');
  const timeoutSeconds = r.positiveNumber(json, 'timeoutSeconds', 'timeoutSeconds');
  const payloads = r.object(json, 'payloads', 'payloads', false) ?? {};
  const a = r.object(json, 'artifacts', 'artifacts', false) ?? {};
  const artifacts = {
    statusPath:
      r.string(a, 'statusPath', 'artifacts.statusPath', { required: false, nonEmpty: true }) ?? RUNNER_PATHS.status,
    logPath: r.string(a, 'logPath', 'artifacts.logPath', { required: false, nonEmpty: true }) ?? RUNNER_PATHS.log,
    logRetentionSeconds: typeof a.logRetentionSeconds === 'number' ? a.logRetentionSeconds : 0,
  };
  const sp = r.object(json, 'systemPrompt', 'systemPrompt', false);
  let systemPrompt: RunnerSpecFile['systemPrompt'];
  if (sp) {
    const sha256 = r.string(sp, 'sha256', 'systemPrompt.sha256') ?? '';
    if (typeof sp.sha256 === 'string')
      r.check(/^[0-9a-f]{64}$/i.test(sha256), 'systemPrompt.sha256', '64 hex digits', sp.sha256);
    const spPath = r.string(sp, 'path', 'systemPrompt.path', { required: false, nonEmpty: true });
    systemPrompt = { sha256: sha256.toLowerCase(), ...(spPath ? { path: spPath } : {}) };
  }
  const e = r.object(json, 'events', 'events') ?? {};
  const subjectPrefix = r.string(e, 'subjectPrefix', 'events.subjectPrefix', { nonEmpty: true }) ?? '';
  if (subjectPrefix)
    r.check(
      /^[^.\s*>]+(\.[^.\s*>]+)*\.$/.test(subjectPrefix),
      'events.subjectPrefix',
      'a NATS subject ending with "." (the runner appends the event kind)',
      subjectPrefix,
    );
  const agentId = r.string(e, 'agentId', 'events.agentId', { nonEmpty: true }) ?? '';
  const lp = r.object(json, 'loop', 'loop', false);
  let loop: RunnerSpecFile['loop'];
  if (lp) {
    const controlPath = r.string(lp, 'controlPath', 'loop.controlPath', { nonEmpty: true }) ?? '';
    if (controlPath) r.check(controlPath.startsWith('/'), 'loop.controlPath', 'an absolute path', controlPath);
    loop = { controlPath };
  }
  finish(file, r);
  return {
    schemaVersion: RUNNER_SCHEMA_VERSION,
    provider,
    inputs,
    ...(goal ? { goal: goal as RunnerSpecFile['goal'] } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    payloads: {
      eventFilePath: typeof payloads.eventFilePath === 'string' ? payloads.eventFilePath : RUNNER_PATHS.runSpec,
    },
    artifacts,
    providerSpec,
    adapter,
    ...(systemPrompt ? { systemPrompt } : {}),
    events: { subjectPrefix, agentId },
    ...(loop ? { loop } : {}),
  };
}
