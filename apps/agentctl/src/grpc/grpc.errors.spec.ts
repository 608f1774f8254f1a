import { status } from '@grpc/grpc-js';
import { CliError, EXIT } from '../cli.errors.js';
import { cleanDetails, grpcError } from './grpc.errors.js';

const conn = { address: 'cp:50051', timeoutMs: 30_000 };
const failure = (code: status, details: string) => Object.assign(new Error(details), { code, details });
const named = { verb: 'get', kind: 'agentrun', name: 'x', namespace: 'y' };

describe('grpcError', () => {
  const cases: Record<string, { code: status; target?: object; want: string; exit: number }> = {
    'UNAVAILABLE: the address and the fix': {
      code: status.UNAVAILABLE,
      want: 'cannot reach the control plane at cp:50051: d. Check that it is running, or set --server or AGENTCTL_SERVER',
      exit: EXIT.unavailable,
    },
    'DEADLINE_EXCEEDED: the deadline': {
      code: status.DEADLINE_EXCEEDED,
      want: 'the control plane at cp:50051 did not answer within 30s; raise --timeout',
      exit: EXIT.unavailable,
    },
    'UNAUTHENTICATED: the token settings': {
      code: status.UNAUTHENTICATED,
      want: 'refused the credentials: d. Set --token or AGENTCTL_TOKEN',
      exit: EXIT.failure,
    },
    'NOT_FOUND of a named object': {
      code: status.NOT_FOUND,
      target: named,
      want: 'agentrun x not found in namespace y',
      exit: EXIT.failure,
    },
    'NOT_FOUND of something else keeps the details': {
      code: status.NOT_FOUND,
      target: { verb: 'submit', kind: 'an agentrun', namespace: 'y' },
      want: 'cannot submit an agentrun in namespace y: not found: d',
      exit: EXIT.failure,
    },
    'INVALID_ARGUMENT: the field the server named': {
      code: status.INVALID_ARGUMENT,
      target: named,
      want: 'cannot get agentrun x in namespace y: invalid: d',
      exit: EXIT.failure,
    },
    ALREADY_EXISTS: { code: status.ALREADY_EXISTS, target: named, want: 'already exists: d', exit: EXIT.failure },
    FAILED_PRECONDITION: {
      code: status.FAILED_PRECONDITION,
      target: { ...named, verb: 'cancel' },
      want: 'cannot cancel agentrun x in namespace y: d',
      exit: EXIT.failure,
    },
    PERMISSION_DENIED: {
      code: status.PERMISSION_DENIED,
      target: named,
      want: 'permission denied: d',
      exit: EXIT.failure,
    },
    'UNIMPLEMENTED: an older server': {
      code: status.UNIMPLEMENTED,
      want: 'does not implement this call (d)',
      exit: EXIT.failure,
    },
    INTERNAL: {
      code: status.INTERNAL,
      target: named,
      want: 'the control plane failed to get agentrun x in namespace y: d',
      exit: EXIT.failure,
    },
    RESOURCE_EXHAUSTED: { code: status.RESOURCE_EXHAUSTED, want: 'overloaded', exit: EXIT.unavailable },
  };
  describe.each(Object.entries(cases))('%s', (_name, c) => {
    it('says what happened and sets the exit code', () => {
      const err = grpcError(failure(c.code, 'd'), conn, (c.target as typeof named) ?? { verb: 'list' });
      expect(err).toBeInstanceOf(CliError);
      expect(err.message).toContain(c.want);
      expect(err.exitCode).toBe(c.exit);
    });
  });

  it('passes CliErrors through and wraps anything else', () => {
    const cli = new CliError('x');
    expect(grpcError(cli, conn, { verb: 'get' })).toBe(cli);
    expect(grpcError(new TypeError('boom'), conn, { verb: 'get' }).message).toBe('get failed: boom');
  });

  it('drops grpc-js boilerplate from connection details', () => {
    expect(
      cleanDetails(
        'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: .',
      ),
    ).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(cleanDetails('Name resolution failed for target dns:x:1')).toBe('Name resolution failed for target dns:x:1');
  });
});
