import type { ServiceDefinition } from '@grpc/grpc-js';

const same = (b: Buffer) => b;

/** grpc-read's calibration service: one unary method, raw bytes in and out (no protobuf). */
export const echoService: ServiceDefinition = {
  get: {
    path: '/bench.Echo/Get',
    requestStream: false,
    responseStream: false,
    requestSerialize: same,
    requestDeserialize: same,
    responseSerialize: same,
    responseDeserialize: same,
  },
};
