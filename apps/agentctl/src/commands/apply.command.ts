import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT, usageError } from '../cli.errors.js';
import { asList, toJson, toYaml } from '../output/format.util.js';
import type { KubeObj } from '../resources/kube-object.js';
import { parseManifests, type Manifest } from '../resources/manifests.util.js';
import { ref } from '../resources/resource-kinds.js';
import { collect } from './option-parsers.util.js';
import type { CliDeps, CliRuntime } from './runtime.js';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Reads `-f` arguments: files, directories (their .yaml/.yml/.json files, sorted) or `-` for stdin. */
export async function loadManifests(files: readonly string[], deps: Pick<CliDeps, 'readStdin'>): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const file of files) {
    if (file === '-') {
      out.push(...parseManifests(await deps.readStdin(), 'stdin'));
      continue;
    }
    const info = await stat(file).catch(() => {
      throw usageError(`-f ${file}: no such file or directory`);
    });
    const paths = info.isDirectory()
      ? (await readdir(file))
          .filter((f) => MANIFEST_FILE.test(f))
          .sort()
          .map((f) => path.join(file, f))
      : [file];
    if (info.isDirectory() && !paths.length)
      throw usageError(`-f ${file}: the directory has no .yaml, .yml or .json file`);
    for (const p of paths) out.push(...parseManifests(await readFile(p, 'utf8'), p));
  }
  return out;
}

export function registerApplyCommand(program: Command, rt: CliRuntime): void {
  program
    .command('apply')
    .description('Create or update objects from manifests (server-side apply), one call per object')
    .requiredOption('-f, --file <path>', 'a manifest file, a directory of them, or - for stdin (repeatable)', collect)
    .option('--dry-run', 'let the control plane validate the objects without saving them')
    .addHelpText('after', '\nExamples:\n  agentctl apply -f agent.yaml\n  cat run.yaml | agentctl apply -f - --dry-run')
    .action(async (opts: { file: string[]; dryRun?: boolean }, cmd: Command) => {
      const manifests = await loadManifests(opts.file, rt.deps);
      if (!manifests.length) throw usageError(`-f ${opts.file.join(', ')}: no objects found`);
      const scope = await rt.scope(cmd);
      const { settings } = scope;
      for (const m of manifests) {
        if (m.namespace && settings.namespace.source === 'flag' && m.namespace !== settings.namespace.value) {
          throw usageError(
            `${m.source}: ${ref(m.kind, m.name)} is in namespace ${m.namespace}, but -n/--namespace says ` +
              `${settings.namespace.value}`,
          );
        }
      }
      const applied: KubeObj[] = [];
      let failed = 0;
      for (const m of manifests) {
        const ns = m.namespace ?? settings.namespace.value;
        try {
          const obj = await scope.client().apply(m.kind, ns, m.name, JSON.stringify(m.object), !!opts.dryRun);
          applied.push(obj);
          if (settings.output === 'table')
            scope.io.out(`${ref(m.kind, m.name)} applied${opts.dryRun ? ' (dry run)' : ''}`);
        } catch (err) {
          // The control plane being down fails every object alike: stop at the first.
          if (!(err instanceof CliError) || err.exitCode === EXIT.unavailable) throw err;
          failed++;
          scope.io.err(`error: ${m.source}: ${err.message}`);
        }
      }
      if (settings.output !== 'table' && applied.length) {
        const doc = applied.length === 1 ? applied[0] : asList(applied);
        scope.io.out(settings.output === 'json' ? toJson(doc) : toYaml(doc));
      }
      if (failed) scope.exit(EXIT.failure);
    });
}
