/** The runner's file system effects: reading its inputs, writing what the provider needs and the terminal status. */
import type { ArtifactRef, RunnerStatusFile } from '@agents/api';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlannedFile } from '../plan/run.plan.js';
import { RunnerError, errorMessage, type RunnerErrorCode } from '../runner.errors.js';

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return errorMessage(err);
}

/** Reads one of the runner's input files; `what` names it in the error ("the run spec (AGENT_RUN_SPEC)"). */
export async function readInputFile(
  file: string,
  what: string,
  code: RunnerErrorCode = 'SpecUnreadable',
): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new RunnerError(code, `cannot read ${what} ${file}: ${reason(err)}`, { cause: err });
  }
}

/** The file's content, or undefined when it cannot be read. */
const currentContent = (file: string) => readFile(file, 'utf8').catch(() => undefined);

/**
 * Writes the files the provider needs. A file that already holds the content (a provider input file the controllers
 * mounted from the run's inputs ConfigMap, read-only) is left as it is.
 */
export async function writePlannedFiles(files: PlannedFile[]): Promise<void> {
  for (const f of files) {
    if ((await currentContent(f.path)) === f.content) continue;
    try {
      await mkdir(path.dirname(f.path), { recursive: true });
      await writeFile(f.path, f.content);
    } catch (err) {
      throw new RunnerError('PrepareFailed', `cannot write the ${f.what} ${f.path}: ${reason(err)}`, { cause: err });
    }
  }
}

/** Writes the status JSON (write + rename, so a reader never sees half of it). */
export async function writeStatusFile(file: string, status: RunnerStatusFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(status)}\n`);
  await rename(tmp, file);
}

/** The declared artifacts whose path exists. */
export async function existingArtifacts(artifacts: ArtifactRef[]): Promise<ArtifactRef[]> {
  const found: ArtifactRef[] = [];
  for (const a of artifacts) {
    if (!a.path) continue;
    if (
      await stat(a.path).then(
        () => true,
        () => false,
      )
    )
      found.push(a);
  }
  return found;
}

/** The run's log file (agent-runner.json artifacts.logPath), appended to. Trouble writing it never fails the run. */
export class RunLog {
  private stream: WriteStream | undefined;

  private constructor(
    readonly file: string,
    private readonly warn: (message: string) => void,
  ) {}

  static async open(file: string, warn: (message: string) => void): Promise<RunLog> {
    const log = new RunLog(file, warn);
    try {
      await mkdir(path.dirname(file), { recursive: true });
      const stream = createWriteStream(file, { flags: 'a' });
      stream.on('error', (err) => {
        if (log.stream) warn(`cannot write the log ${file}: ${reason(err)}`);
        log.stream = undefined;
      });
      log.stream = stream;
    } catch (err) {
      warn(`cannot write the log ${file}: ${reason(err)}`);
    }
    return log;
  }

  write(line: string): void {
    this.stream?.write(`${line}\n`);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
  }
}
