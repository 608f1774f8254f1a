import http from 'node:http';

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/**
 * A lean Server-Sent Events client for load generation: one GET, the `data:` payload of each event handed to
 * `onData` (comments and heartbeats skipped). Many thousands fit in one process.
 */
export class SseClient {
  private req: http.ClientRequest | undefined;
  private res: http.IncomingMessage | undefined;
  closed = false;
  readonly opened: Promise<void>;

  constructor(url: string, onData: (data: string) => void, onClose?: () => void) {
    this.opened = new Promise((resolve, reject) => {
      this.req = http.get(url, { agent, headers: { Accept: 'text/event-stream' } }, (res) => {
        this.res = res;
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const at = block.indexOf('data: ');
            if (at >= 0) onData(block.slice(at + 6));
          }
        });
        res.on('close', () => {
          this.closed = true;
          onClose?.();
        });
        resolve();
      });
      this.req.on('error', (err) => {
        this.closed = true;
        reject(err);
      });
    });
  }

  close(): void {
    this.req?.destroy();
    this.res?.destroy();
  }
}

/** `"name":123` or `"name":"t=123.4"` out of an event's JSON without parsing all of it. */
export function field(data: string, name: string): number {
  const at = data.indexOf(`"${name}":`);
  if (at < 0) return NaN;
  let i = at + name.length + 3;
  if (data[i] === '"') i += 1;
  if (data.startsWith('t=', i)) i += 2;
  return parseFloat(data.slice(i, i + 24));
}
