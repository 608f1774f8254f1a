import { connect, type NatsConnection } from 'nats';

/** $NATS_URL or the local JetStream-enabled server. */
export function natsServerUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

export async function connectTestNats(name = 'agents-test'): Promise<NatsConnection> {
  return connect({ servers: natsServerUrl(), name });
}
