// A bare grpc-js server whose one unary method answers every call with the same 2 KiB (about a GetAgentRun reply):
// grpc-read's calibration, what grpc-js alone does on this machine under the same load.
// Usage: node echo-server.ts <port>; prints "ready" once it listens.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { echoService } from './echo.ts';

const reply = Buffer.alloc(2048, 'x');
const server = new Server();
server.addService(echoService, { get: (_call: unknown, done: (e: null, r: Buffer) => void) => done(null, reply) });
server.bindAsync(`127.0.0.1:${process.argv[2]}`, ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  console.log('ready');
});
