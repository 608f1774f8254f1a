#!/usr/bin/env node
import { setTimeout as sleep } from 'node:timers/promises';
import { text } from 'node:stream/consumers';
import { runCli } from './cli.js';
import { readEnvironment } from './config/agentctl.config.js';

// A closed pipe (`agentctl run logs x | head`) ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

runCli(process.argv.slice(2), {
  io: {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
  },
  environment: readEnvironment(),
  now: () => new Date(),
  readStdin: () => text(process.stdin),
  delay: (ms) => sleep(ms),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
