import type { Response } from 'express';

export interface SseLimits {
  /** Bytes that may wait in this process for one client before it is paused (half) or cut (all, in push mode). */
  maxBufferBytes: number;
  /** How long a paused client may go without reading before it is cut. */
  stallMs: number;
  heartbeatMs: number;
}

const GATHER_BYTES = 64 * 1024;
/**
 * Pull mode: what one connection may hold in this process before its writer waits for the client to read. The
 * kernel's socket buffer holds more behind it, so a reading client does not wait on it. It bounds what 1,000 slow
 * subscribers can hold here at 64 MiB; half of a 1 MiB cut bound allowed 500 MiB.
 */
const PAUSE_BYTES = 64 * 1024;

/** Every open connection of this process: ended together at shutdown. */
const open = new Set<SseConnection>();
let shuttingDown = false;

/**
 * Ends every open stream, and every one opened from now on, so that the HTTP server can close (it waits for open
 * responses) and the clients reconnect, to another replica, with their Last-Event-ID. Returns how many were open.
 */
export function endAllSseConnections(): number {
  shuttingDown = true;
  const n = open.size;
  for (const c of [...open]) c.end();
  return n;
}

/**
 * One Server-Sent Events connection with a bound on what may pile up in memory for it. Two ways to feed it:
 * - pull (`ready`/`whenReady`/`send`): the writer stops when 64 KiB (at most half the bound) wait unread and resumes
 *   on drain; a client that reads nothing for `stallMs` meanwhile is cut;
 * - push (`write`): a client with more than the bound waiting is cut at once.
 * A cut client reconnects (with Last-Event-ID where the stream has ids) and loses nothing; one slow reader never
 * grows the server or slows the others.
 */
export class SseConnection {
  private closed = false;
  /** Cut because the client did not read fast enough (not a normal close). */
  wasCut = false;
  private readonly heartbeat: NodeJS.Timeout;
  private stall: NodeJS.Timeout | undefined;
  private resume: (() => void) | undefined;
  private readonly onClose: (() => void)[] = [];
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;

  constructor(
    private readonly res: Response,
    private readonly limits: SseLimits,
  ) {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.write('retry: 1000\n: connected\n\n');
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), limits.heartbeatMs);
    res.on('close', () => this.close());
    open.add(this);
    // Opened after shutdown began (before the server stopped listening): the client is told to go elsewhere at once.
    if (shuttingDown) this.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClosed(fn: () => void): void {
    if (this.closed) fn();
    else this.onClose.push(fn);
  }

  /** Pull mode: whether the client has read enough of what was sent to take more now. */
  ready(): boolean {
    const pauseAt = Math.min(PAUSE_BYTES, this.limits.maxBufferBytes / 2);
    return !this.closed && this.res.writableLength + this.gatheredBytes < pauseAt;
  }

  /** Pull mode: calls `resume` once the client has read what waits; cuts it if that takes longer than `stallMs`. */
  whenReady(resume: () => void): void {
    if (this.closed) return;
    this.resume = resume;
    this.stall ??= setTimeout(() => this.cut(), this.limits.stallMs);
  }

  /**
   * Pull mode: queues preformatted SSE messages (the caller asked `ready()` first); written at `flush()`, or as soon as
   * 64 KiB are gathered. The buffers are the caller's, shared with every other connection that sends them: nothing is
   * copied or encoded again per connection.
   */
  send(chunk: Buffer): void {
    if (this.closed) return;
    this.gathered.push(chunk);
    this.gatheredBytes += chunk.length;
    if (this.gatheredBytes >= GATHER_BYTES) this.flush();
  }

  /**
   * Writes what `send` gathered, without concatenating it: Node's HTTP response corks its socket until the next tick,
   * so the chunks leave in one vectored write.
   */
  flush(): void {
    if (this.closed || this.gathered.length === 0) return;
    const chunks = this.gathered;
    this.gathered = [];
    this.gatheredBytes = 0;
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) this.res.write(chunks[i]);
    this.res.write(chunks[last], this.flushed);
  }

  /** A written chunk reached the socket; a paused writer resumes once what waits is below the pause mark. */
  private readonly flushed = (): void => {
    if (this.resume && this.ready()) this.drained();
  };

  /** Push mode: writes preformatted SSE text; false once the connection is gone or was cut for being too slow. */
  write(chunk: string): boolean {
    if (this.closed) return false;
    this.res.write(chunk);
    if (this.res.writableLength > this.limits.maxBufferBytes) {
      this.cut();
      return false;
    }
    return true;
  }

  /** Ends the stream cleanly. */
  end(): void {
    if (this.closed) return;
    this.res.end();
    this.close();
  }

  private drained(): void {
    clearTimeout(this.stall);
    this.stall = undefined;
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }

  private cut(): void {
    if (this.closed) return;
    this.wasCut = true;
    this.res.destroy();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    open.delete(this);
    clearInterval(this.heartbeat);
    clearTimeout(this.stall);
    this.resume = undefined;
    this.gathered = [];
    for (const fn of this.onClose.splice(0)) fn();
  }
}

/** `id: …\nevent: …\ndata: …\n\n`; data split over lines as the SSE format requires. */
export function sseMessage(id: string | number | undefined, event: string | undefined, data: string): string {
  let out = '';
  if (id !== undefined) out += `id: ${id}\n`;
  if (event) out += `event: ${event}\n`;
  for (const line of data.split('\n')) out += `data: ${line}\n`;
  return `${out}\n`;
}
