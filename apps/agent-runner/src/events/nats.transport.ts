import { ensureAgentCommsStream } from '@agents/nats';
import { connect } from 'nats';
import { errorMessage } from '../runner.errors.js';
import type { ConnectTransport } from './event.publisher.js';

export interface NatsTransportOptions {
  url: string;
  user?: string;
  password?: string;
  /** The connection name the server shows (the runner id). */
  name: string;
  publishTimeoutMs?: number;
  warn: (message: string) => void;
}

/** Connects to NATS, makes sure the agent-comms stream exists, and publishes with the message id as Nats-Msg-Id. */
export function natsTransport(o: NatsTransportOptions): ConnectTransport {
  const timeout = o.publishTimeoutMs ?? 2000;
  return async () => {
    const nc = await connect({
      servers: o.url,
      ...(o.user ? { user: o.user, pass: o.password } : {}),
      name: `agent-runner ${o.name}`,
      timeout: 2000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
    try {
      await ensureAgentCommsStream(await nc.jetstreamManager({ timeout }));
    } catch (err) {
      // Publishing may still work (the stream may exist and only its management be denied): try it.
      o.warn(`could not check the agent-comms stream, publishing anyway: ${errorMessage(err)}`);
    }
    const js = nc.jetstream({ timeout });
    return {
      get closed() {
        return nc.isClosed();
      },
      publish: async (subject, data, messageId) => {
        await js.publish(subject, data, { msgID: messageId, timeout });
      },
      close: () => nc.close(),
    };
  };
}
