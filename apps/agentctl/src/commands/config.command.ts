import type { Command } from 'commander';
import { usageError } from '../cli.errors.js';
import { readConfigFile, updateConfigFile, type ConfigKey } from '../config/config-file.js';
import { normalizeNamespace, normalizeServer, type GlobalFlags, type Sourced } from '../config/settings.js';
import { toJson, toYaml } from '../output/format.util.js';
import { formatFields } from '../output/table.util.js';
import type { CliRuntime } from './runtime.js';

const HIDDEN = '<hidden>';

function from(s: Sourced<string> | undefined): string {
  if (!s) return '';
  return s.source === 'default' ? '(default)' : s.source === 'file' ? '(from the config file)' : `(from ${s.origin})`;
}

export function registerConfigCommand(program: Command, rt: CliRuntime): void {
  const config = program
    .command('config')
    .description('Show or change the settings agentctl uses (config file, environment, flags)');

  config
    .command('view')
    .description('Show the effective server, namespace and token, and where each comes from')
    .option('--show-secrets', 'print the token instead of hiding it')
    .action(async (opts: { showSecrets?: boolean }, cmd: Command) => {
      const settings = await rt.settings(cmd);
      const file = await readConfigFile(settings.configPath);
      const token = settings.token ? (opts.showSecrets ? settings.token.value : HIDDEN) : undefined;
      const doc = {
        configFile: settings.configPath,
        configFileExists: file.exists,
        server: settings.server.value,
        namespace: settings.namespace.value,
        token: token ?? null,
        sources: {
          server: settings.server.origin,
          namespace: settings.namespace.origin,
          token: settings.token?.origin ?? null,
        },
      };
      const { io } = rt.deps;
      switch (settings.output) {
        case 'json':
          return io.out(toJson(doc));
        case 'yaml':
          return io.out(toYaml(doc));
        case 'table':
          io.out(
            formatFields([
              ['Config file', `${settings.configPath}${file.exists ? '' : ' (not found)'}`],
              ['Server', `${settings.server.value}  ${from(settings.server)}`],
              ['Namespace', `${settings.namespace.value}  ${from(settings.namespace)}`],
              ['Token', token ? `${token}  ${from(settings.token)}` : '<none>'],
            ]).join('\n'),
          );
      }
    });

  config
    .command('set')
    .description('Write --server, -n/--namespace and --token to the config file (an empty value removes the key)')
    .addHelpText(
      'after',
      '\nExample:\n  agentctl config set --server 127.0.0.1:50051 --namespace agents --token "$TOKEN"',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalFlags>();
      const changes: Partial<Record<ConfigKey, string>> = {};
      const server = flags.server ?? flags.address;
      if (server !== undefined) {
        changes.server =
          server.trim() && normalizeServer(server, flags.server !== undefined ? '--server' : '--address');
      }
      if (flags.namespace !== undefined) {
        changes.namespace = flags.namespace.trim() && normalizeNamespace(flags.namespace.trim(), '-n/--namespace');
      }
      if (flags.token !== undefined) changes.token = flags.token.trim();
      const keys = Object.keys(changes);
      if (!keys.length) throw usageError('config set: nothing to set; pass --server, -n/--namespace or --token');
      const file = rt.deps.environment.configPath;
      await updateConfigFile(file, changes);
      const described = Object.entries(changes).map(([k, v]) => (v === '' ? `removed ${k}` : `set ${k}`));
      rt.deps.io.out(`${described.join(', ')} in ${file}`);
    });
}
