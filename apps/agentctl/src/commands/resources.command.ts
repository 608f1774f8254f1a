// get | list | describe | delete <resource> … for every kind.
import { Option, type Command } from 'commander';
import { RUNTIME_TYPES } from '@agents/api';
import { CliError, usageError } from '../cli.errors.js';
import { describeResource } from '../output/describe-printer.util.js';
import { toJson, toYaml } from '../output/format.util.js';
import { printResources } from '../output/resource-printer.util.js';
import { parseServerJson, TERMINAL_PHASES } from '../resources/kube-object.js';
import {
  AGENT_RUN_KIND,
  describeResourceNames,
  ref,
  resolveResource,
  type ResourceKind,
} from '../resources/resource-kinds.js';
import type { ListFilter } from '../grpc/control-plane.client.js';
import { nameOption, selectorOption } from './option-parsers.util.js';
import type { CliRuntime } from './runtime.js';

export const RUN_PHASES = ['Pending', 'Running', ...TERMINAL_PHASES] as const;

interface ListOptions {
  selector?: string;
  phase?: string;
  runtime?: string;
}

function listFilter(kind: ResourceKind, opts: ListOptions): ListFilter {
  if (kind !== AGENT_RUN_KIND) {
    for (const flag of ['phase', 'runtime'] as const) {
      if (opts[flag] !== undefined) throw usageError(`--${flag} applies only to agentruns, not ${kind.info.plural}`);
    }
  }
  return {
    ...(opts.selector ? { labelSelector: opts.selector } : {}),
    ...(opts.phase ? { phase: opts.phase } : {}),
    ...(opts.runtime ? { runtime: opts.runtime } : {}),
  };
}

function addListOptions(cmd: Command): Command {
  return cmd
    .option('-l, --selector <selector>', 'only objects whose labels match, e.g. app=demo,tier!=db', selectorOption)
    .addOption(new Option('--phase <phase>', 'agentruns only: only runs in this phase').choices(RUN_PHASES))
    .addOption(new Option('--runtime <type>', 'agentruns only: only runs of this runtime type').choices(RUNTIME_TYPES));
}

const RESOURCE_HELP = `\nResources (with their aliases): ${describeResourceNames()}`;

export function registerResourceCommands(program: Command, rt: CliRuntime): void {
  const list = async (resource: string, name: string | undefined, opts: ListOptions, cmd: Command) => {
    const kind = resolveResource(resource);
    const filter = listFilter(kind, opts);
    const scope = await rt.scope(cmd);
    const ns = scope.settings.namespace.value;
    const now = scope.deps.now();
    if (name !== undefined) {
      const obj = await scope.client().get(kind, ns, name);
      scope.io.out(printResources(scope.settings.output, kind, [obj], { now, single: true }).join('\n'));
      return;
    }
    const items = await scope.client().list(kind, ns, filter);
    if (!items.length && scope.settings.output === 'table') {
      scope.io.err(`No ${kind.info.plural} found in namespace ${ns}.`);
      return;
    }
    scope.io.out(printResources(scope.settings.output, kind, items, { now }).join('\n'));
  };

  addListOptions(
    program
      .command('get')
      .description('Show one object, or list the objects of a kind')
      .argument('<resource>', 'resource type, e.g. agents, runs, impl')
      .argument('[name]', 'object name (omit to list)', nameOption)
      .addHelpText('after', RESOURCE_HELP),
  ).action(list);

  addListOptions(
    program
      .command('list')
      .description('List the objects of a kind (or show one, like get)')
      .argument('<resource>', 'resource type, e.g. agents, runs, impl')
      .argument('[name]', 'object name', nameOption)
      .addHelpText('after', RESOURCE_HELP),
  ).action(list);

  program
    .command('describe')
    .description('Show one object in detail: status, a spec summary and its conditions')
    .argument('<resource>', 'resource type, e.g. agent, run, impl')
    .argument('<name>', 'object name', nameOption)
    .addHelpText('after', RESOURCE_HELP)
    .action(async (resource: string, name: string, _opts: unknown, cmd: Command) => {
      const kind = resolveResource(resource);
      const scope = await rt.scope(cmd);
      const obj = await scope.client().get(kind, scope.settings.namespace.value, name);
      switch (scope.settings.output) {
        case 'json':
          return scope.io.out(toJson(obj));
        case 'yaml':
          return scope.io.out(toYaml(obj));
        case 'table':
          return scope.io.out(describeResource(kind, obj, scope.deps.now()).join('\n'));
      }
    });

  program
    .command('delete')
    .description('Delete one object')
    .argument('<resource>', 'resource type, e.g. agent, impl')
    .argument('<name>', 'object name', nameOption)
    .addHelpText('after', RESOURCE_HELP)
    .action(async (resource: string, name: string, _opts: unknown, cmd: Command) => {
      const kind = resolveResource(resource);
      const scope = await rt.scope(cmd);
      const ns = scope.settings.namespace.value;
      const res = await scope.client().delete(kind, ns, name);
      if (!res.ok) {
        throw new CliError(
          `cannot delete ${kind.info.singular} ${name} in namespace ${ns}: ${res.message || 'refused'}`,
        );
      }
      const obj = res.json ? parseServerJson(res.json, `${kind.info.singular} ${name}`) : undefined;
      switch (scope.settings.output) {
        case 'json':
          return scope.io.out(toJson(obj ?? { ok: res.ok, message: res.message }));
        case 'yaml':
          return scope.io.out(toYaml(obj ?? { ok: res.ok, message: res.message }));
        case 'table':
          return scope.io.out(`${ref(kind, name)} deleted`);
      }
    });
}
