import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { eventually } from './eventually.js';
import { freePort } from './process.js';

/** A private JetStream-enabled nats-server for one test file (its own port and store), so the shared one is never disturbed. */
export class PrivateNats {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly store: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The server's process id while it runs (for a benchmark's CPU and memory figures). */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  static async start(): Promise<PrivateNats> {
    const n = new PrivateNats(await freePort(), mkdtempSync(path.join(tmpdir(), 'agents-nats-')));
    await n.resume();
    return n;
  }

  /** Starts (again, on the same port and store) and waits until it accepts connections. */
  async resume(): Promise<void> {
    this.child = spawn(
      '/usr/sbin/nats-server',
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.store],
      { stdio: 'ignore' },
    );
    await eventually(async () => (await connect({ servers: this.url, timeout: 500 })).close(), {
      what: `nats-server on ${this.port}`,
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
