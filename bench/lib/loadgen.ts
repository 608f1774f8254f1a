import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './env.ts';

const run = promisify(execFile);
const SOURCE = path.join(REPO_ROOT, 'bench/grpc-read/loadgen');
const CACHE = process.env.AGENTS_CACHE ?? path.join(os.homedir(), '.cache/agents');

export interface LoadResult {
  calls: number;
  errors: number;
  firstError?: string;
  rate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The Go load generator (grpc-read/loadgen), built on first use into the cache, one build per version of its
 * sources, like hack/'s tools: nothing is built into the repo.
 */
export async function loadgenBinary(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) hash.update(readFileSync(path.join(SOURCE, f)));
  const dir = path.join(CACHE, `bench-loadgen-${hash.digest('hex').slice(0, 12)}`);
  const binary = path.join(dir, 'loadgen');
  if (existsSync(binary)) return binary;
  await mkdir(CACHE, { recursive: true });
  const tmp = await mkdtemp(path.join(CACHE, '.bench-loadgen-'));
  try {
    await run('go', ['build', '-trimpath', '-o', path.join(tmp, 'loadgen'), '.'], { cwd: SOURCE }).catch((e) => {
      throw new Error(
        `building ${SOURCE} failed (it needs Go ≥ 1.26 and the Go module proxy): ${(e as { stderr?: string }).stderr ?? e}`,
      );
    });
    await rename(tmp, dir).catch(async (e) => {
      if (!existsSync(binary)) throw e; // another bench built it meanwhile
    });
    return binary;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Unary calls of `method` from `concurrency` callers for `seconds`: back to back, or paced together at `rate` calls
 * per second and timed from when each was due. Call i sends requests[i mod n], already encoded.
 */
export async function loadgen(options: {
  address: string;
  method: string;
  requests: Uint8Array[];
  concurrency: number;
  seconds: number;
  rate?: number;
  warmupSeconds?: number;
}): Promise<LoadResult> {
  const binary = await loadgenBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'loadgen-'));
  try {
    const requests = path.join(dir, 'requests');
    await writeFile(requests, options.requests.map((r) => Buffer.from(r).toString('base64')).join('\n') + '\n');
    const { stdout } = await run(binary, [
      `-addr=${options.address}`,
      `-method=${options.method}`,
      `-requests=${requests}`,
      `-concurrency=${options.concurrency}`,
      `-seconds=${options.seconds}`,
      `-rate=${options.rate ?? 0}`,
      `-warmup-seconds=${options.warmupSeconds ?? 0}`,
    ]);
    return JSON.parse(stdout) as LoadResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
