// agentctl run submit | get | wait | watch | logs | cancel
import { Option, type Command } from 'commander';
import { RUNTIME_TYPES } from '@agents/api';
import type { StreamAgentRunLogsResponse, SubmitAgentRunRequest } from '@agents/proto/client';
import { CliError, EXIT } from '../cli.errors.js';
import type { OutputFormat } from '../config/settings.js';
import type { RunStatusUpdate } from '../grpc/control-plane.client.js';
import { toJson, toYaml } from '../output/format.util.js';
import { printResources, printStreamed } from '../output/resource-printer.util.js';
import { nameOf, runOutcome, type KubeObj } from '../resources/kube-object.js';
import { AGENT_RUN_KIND, ref } from '../resources/resource-kinds.js';
import { collectKeyValue, eventIdOption, nameOption, quantityOption, type KeyValue } from './option-parsers.util.js';
import { followRunLogs, followRunStatus } from './run-follow.js';
import type { CliIo, CliRuntime, CommandScope } from './runtime.js';

export const VCS_MODES = ['read-write', 'read-only', 'none'] as const;

interface SubmitOptions {
  agent: string;
  impl: string;
  runtime: string;
  runtimeConfig?: KeyValue[];
  param?: KeyValue[];
  idempotencyKey?: string;
  workloadImage?: string;
  cpu?: string;
  memory?: string;
  memoryRef?: string;
  vcs?: string;
  vcsMode?: string;
  vcsRequired?: boolean;
  name?: string;
  wait?: boolean;
}

/** The SubmitAgentRun request for the flags of `run submit` (pure). */
export function submitRequest(namespace: string, o: SubmitOptions): SubmitAgentRunRequest {
  const workload = o.workloadImage || o.cpu || o.memory;
  return {
    namespace,
    agentName: o.agent,
    implementationName: o.impl,
    runtimeType: o.runtime,
    runtimeConfig: o.runtimeConfig ?? [],
    parameters: o.param ?? [],
    idempotencyKey: o.idempotencyKey ?? '',
    workload: workload ? { image: o.workloadImage ?? '', cpu: o.cpu ?? '', memory: o.memory ?? '' } : undefined,
    memoryRef: o.memoryRef ?? '',
    vcsRef: o.vcs ?? '',
    vcsPolicyMode: o.vcsMode ?? '',
    vcsPolicyRequired: !!o.vcsRequired,
    name: o.name ?? '',
  };
}

/** `agentrun/demo Failed: BackoffLimitExceeded (the job failed)`. */
export function outcomeLine(name: string, run: KubeObj, phase?: string): string {
  const o = runOutcome(run);
  return `${ref(AGENT_RUN_KIND, name)} ${phase ?? o.phase}${o.reason ? `: ${o.reason}` : ''}${o.message ? ` (${o.message})` : ''}`;
}

/**
 * What `run watch` prints a line for: a change of the run's phase, or of the current step of a workflow run (its
 * name, phase or attempt), so each step, retry and loop iteration shows.
 */
export function watchKey(run: KubeObj, phase: string | undefined): string {
  const steps = (run.status as { workflow?: { steps?: { name?: string; phase?: string; attempt?: number }[] } })
    ?.workflow?.steps;
  const current = steps?.find((s) => s.phase !== 'Succeeded') ?? steps?.at(-1);
  return current ? `${phase}|${current.name}|${current.phase}|${current.attempt ?? 0}` : `${phase}`;
}

function printObject(io: CliIo, format: OutputFormat, obj: unknown): void {
  io.out(format === 'json' ? toJson(obj) : toYaml(obj));
}

/** Waits for the run to finish; prints the outcome; exit code 0 when it Succeeded, 1 otherwise. */
async function waitForRun(scope: CommandScope, namespace: string, name: string): Promise<void> {
  const done = await followRunStatus(scope, namespace, name, () => undefined);
  if (scope.settings.output === 'table') scope.io.out(outcomeLine(name, done.run, done.phase));
  else printObject(scope.io, scope.settings.output, done.run);
  if (done.phase !== 'Succeeded') scope.exit(EXIT.failure);
}

export function printLogEvent(
  io: CliIo,
  format: OutputFormat,
  e: StreamAgentRunLogsResponse,
  timestamps: boolean,
): void {
  if (format !== 'table') {
    const doc = { id: e.id, timestamp: e.timestamp, stream: e.stream, kind: e.kind, message: e.message };
    io.out(printStreamed(format, doc));
    return;
  }
  const text = `${timestamps && e.timestamp ? `${e.timestamp} ` : ''}${e.message.replace(/\r?\n$/, '')}`;
  switch (e.stream) {
    case 'stderr':
      return io.err(text);
    case 'stdout':
    case '':
      return io.out(text);
    default:
      return io.out(`[${e.stream}] ${text}`);
  }
}

export function registerRunCommands(program: Command, rt: CliRuntime): void {
  const run = program.command('run').description('Submit agent runs and follow them');

  run
    .command('submit')
    .description('Create an AgentRun of an agent on an implementation')
    .requiredOption('--agent <name>', 'the Agent to run', nameOption)
    .requiredOption('--impl <name>', 'the ImplementationSpec to work on', nameOption)
    .addOption(new Option('--runtime <type>', 'how the run executes').choices(RUNTIME_TYPES).makeOptionMandatory(true))
    .option('--runtime-config <key=value>', 'a runtime setting (repeatable)', collectKeyValue)
    .option('--param <key=value>', 'a run parameter (repeatable)', collectKeyValue)
    .option('--idempotency-key <key>', 'a key that makes resubmitting return the same run')
    .option('--workload-image <image>', "the runner image (default: the provider's)")
    .option('--cpu <quantity>', 'CPU for the runner, e.g. 500m or 2', quantityOption)
    .option('--memory <quantity>', 'memory for the runner, e.g. 512Mi or 2Gi', quantityOption)
    .option('--memory-ref <name>', 'a Memory the run may use', nameOption)
    .option('--vcs <name>', 'the VersionControlProvider for the run', nameOption)
    .addOption(new Option('--vcs-mode <mode>', 'repository access of the run').choices(VCS_MODES))
    .option('--vcs-required', 'fail the run when version control is not available')
    .option('--name <name>', 'name of the run (default: generated from the agent name)', nameOption)
    .option('--wait', 'wait until the run finishes (exit code 0 only when it Succeeded)')
    .addHelpText(
      'after',
      '\nExample:\n  agentctl run submit --agent demo-agent --impl demo-task --runtime job --param branch=main --wait',
    )
    .action(async (opts: SubmitOptions, cmd: Command) => {
      const scope = await rt.scope(cmd);
      const ns = scope.settings.namespace.value;
      const submitted = await scope.client().submitRun(submitRequest(ns, opts));
      const name = nameOf(submitted.run);
      if (scope.settings.output === 'table') {
        scope.io.out(
          submitted.idempotent
            ? `${ref(AGENT_RUN_KIND, name)} unchanged (idempotency key ${opts.idempotencyKey ?? ''} was used before)`
            : `${ref(AGENT_RUN_KIND, name)} submitted`,
        );
      } else if (!opts.wait) {
        printObject(scope.io, scope.settings.output, submitted.run);
      }
      if (opts.wait) await waitForRun(scope, ns, name);
    });

  run
    .command('get')
    .description('Show a run')
    .argument('<name>', 'run name', nameOption)
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const scope = await rt.scope(cmd);
      const obj = await scope.client().get(AGENT_RUN_KIND, scope.settings.namespace.value, name);
      const lines = printResources(scope.settings.output, AGENT_RUN_KIND, [obj], {
        now: scope.deps.now(),
        single: true,
      });
      scope.io.out(lines.join('\n'));
    });

  run
    .command('wait')
    .description('Wait until a run finishes: exit code 0 when it Succeeded, 1 when it Failed or was Cancelled')
    .argument('<name>', 'run name', nameOption)
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const scope = await rt.scope(cmd);
      await waitForRun(scope, scope.settings.namespace.value, name);
    });

  run
    .command('watch')
    .description('Print each phase change of a run, and of each step of a workflow run, until it finishes')
    .argument('<name>', 'run name', nameOption)
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const scope = await rt.scope(cmd);
      let previous: string | undefined;
      const onUpdate = (u: RunStatusUpdate) => {
        const key = watchKey(u.run, u.phase);
        if (key === previous) return;
        previous = key;
        const format = scope.settings.output;
        scope.io.out(format === 'table' ? outcomeLine(name, u.run, u.phase) : printStreamed(format, u.run));
      };
      await followRunStatus(scope, scope.settings.namespace.value, name, onUpdate);
    });

  run
    .command('logs')
    .description("Print a run's events: runner stdout and stderr, and status changes marked [status]")
    .argument('<name>', 'run name', nameOption)
    .option('-f, --follow', 'keep printing new events until the run finishes')
    .option('--timestamps', 'prefix each line with its timestamp')
    .option('--after-id <id>', 'start after this event id (see -o json)', eventIdOption)
    .action(async (name: string, opts: { follow?: boolean; timestamps?: boolean; afterId?: number }, cmd: Command) => {
      const scope = await rt.scope(cmd);
      const format = scope.settings.output;
      await followRunLogs(
        scope,
        scope.settings.namespace.value,
        name,
        { follow: !!opts.follow, afterId: opts.afterId ?? 0 },
        (e) => printLogEvent(scope.io, format, e, !!opts.timestamps),
      );
    });

  run
    .command('cancel')
    .description('Cancel a run: the control plane stops its runtime and the run ends Cancelled')
    .argument('<name>', 'run name', nameOption)
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const scope = await rt.scope(cmd);
      const ns = scope.settings.namespace.value;
      const res = await scope.client().cancelRun(ns, name);
      if (!res.ok) throw new CliError(`cannot cancel agentrun ${name} in namespace ${ns}: ${res.message || 'refused'}`);
      if (scope.settings.output === 'table') {
        scope.io.out(`${ref(AGENT_RUN_KIND, name)} cancelled${res.message ? ` (${res.message})` : ''}`);
      } else {
        printObject(scope.io, scope.settings.output, { ok: res.ok, message: res.message });
      }
    });
}
