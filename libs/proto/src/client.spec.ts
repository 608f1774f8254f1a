import { Server, ServerCredentials, status, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import type { GetServerInfoRequest, GetServerInfoResponse } from './client.js';
import { AgentctlServiceService, createAgentctlClient, unary, type AgentctlServiceClient } from './client.js';
import { protoPath } from './proto-path.js';
import { existsSync } from 'node:fs';

describe('generated client', () => {
  let server: Server;
  let client: AgentctlServiceClient;

  beforeAll(async () => {
    server = new Server();
    // Only GetServerInfo is implemented: enough to prove the codecs and the metadata round-trip.
    server.addService(AgentctlServiceService, {
      getServerInfo: (
        call: ServerUnaryCall<GetServerInfoRequest, GetServerInfoResponse>,
        cb: sendUnaryData<GetServerInfoResponse>,
      ) => {
        const auth = call.metadata.get('authorization')[0];
        if (auth !== 'Bearer s3cret')
          return cb({ code: status.UNAUTHENTICATED, details: 'missing or wrong bearer token' });
        cb(null, { version: '1.2.3', buildSha: 'abc', buildTime: 't', service: 'agents-control-plane' });
      },
    } as never);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    client = createAgentctlClient({ address: `127.0.0.1:${port}` });
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  it('round-trips a call with the bearer token in metadata', async () => {
    const res = await unary(client.getServerInfo.bind(client), {}, 's3cret');
    expect(res).toEqual({ version: '1.2.3', buildSha: 'abc', buildTime: 't', service: 'agents-control-plane' });
  });

  it('surfaces the server status code', async () => {
    await expect(unary(client.getServerInfo.bind(client), {}, 'wrong')).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
  });

  it('finds the .proto file for the NestJS gRPC transport', () => {
    expect(existsSync(protoPath())).toBe(true);
  });
});
