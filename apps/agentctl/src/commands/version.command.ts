import type { Command } from 'commander';
import { isOutputFormat } from '../config/settings.js';
import { toJson, toYaml } from '../output/format.util.js';
import { CLIENT_VERSION } from '../version.js';
import type { CliRuntime } from './runtime.js';

export function registerVersionCommand(program: Command, rt: CliRuntime): void {
  program
    .command('version')
    .description('Print the client version and the control plane version')
    .option('--client', 'print only the client version (no call to the control plane)')
    .action(async (opts: { client?: boolean }, cmd: Command) => {
      const { io } = rt.deps;
      if (opts.client) {
        const output = cmd.optsWithGlobals<{ output?: string }>().output ?? 'table';
        if (output === 'json') io.out(toJson({ clientVersion: CLIENT_VERSION }));
        else if (output === 'yaml') io.out(toYaml({ clientVersion: CLIENT_VERSION }));
        else if (isOutputFormat(output)) io.out(`agentctl ${CLIENT_VERSION}`);
        return;
      }
      const scope = await rt.scope(cmd);
      if (scope.settings.output === 'table') io.out(`Client: agentctl ${CLIENT_VERSION}`);
      const server = await scope.client().serverInfo();
      const doc = { clientVersion: CLIENT_VERSION, server };
      switch (scope.settings.output) {
        case 'json':
          return io.out(toJson(doc));
        case 'yaml':
          return io.out(toYaml(doc));
        case 'table': {
          const build = [server.buildSha, server.buildTime].filter(Boolean).join(', ');
          io.out(
            `Server: ${server.service || 'control plane'} ${server.version || 'unknown'}` +
              `${build ? ` (build ${build})` : ''} at ${scope.settings.server.value}`,
          );
        }
      }
    });
}
