#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildCli } from './cli.js';

try {
  await buildCli({ out: (l) => console.log(l), err: (l) => console.error(l) }).parseAsync(process.argv);
} catch (err) {
  process.exitCode = err instanceof CommanderError ? err.exitCode : 1;
  if (!(err instanceof CommanderError)) console.error(err instanceof Error ? err.message : err);
}
