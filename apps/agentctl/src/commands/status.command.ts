import type { Command } from 'commander';
import { toJson, toYaml } from '../output/format.util.js';
import { describeStatus } from '../output/status-printer.util.js';
import type { CliRuntime } from './runtime.js';

export function registerStatusCommand(program: Command, rt: CliRuntime): void {
  program
    .command('status')
    .description("Show the control plane's health: controllers, runtime adapters, database, gRPC, namespaces")
    .action(async (_opts: unknown, cmd: Command) => {
      const scope = await rt.scope(cmd);
      const status = await scope.client().controlPlaneStatus(scope.settings.namespace.value);
      switch (scope.settings.output) {
        case 'json':
          return scope.io.out(toJson(status));
        case 'yaml':
          return scope.io.out(toYaml(status));
        case 'table':
          return scope.io.out(describeStatus(status, scope.settings.server.value).join('\n'));
      }
    });
}
