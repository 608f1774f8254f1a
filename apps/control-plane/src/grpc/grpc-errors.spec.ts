import { status } from '@grpc/grpc-js';
import { Logger, type ArgumentsHost } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { AgentsError, type ErrorCode } from '../errors.js';
import { boundedMessage, GrpcExceptionFilter, grpcCode, MAX_MESSAGE_BYTES } from './grpc-errors.js';

const host = {} as ArgumentsHost;

/** What the filter hands to Nest's gRPC transport for `exception`. */
async function statusOf(exception: unknown): Promise<unknown> {
  const filter = new GrpcExceptionFilter();
  return firstValueFrom(filter.catch(exception, host)).then(
    () => {
      throw new Error('the filter did not fail the call');
    },
    (err: unknown) => err,
  );
}

describe('grpcCode', () => {
  const cases: Record<ErrorCode, status> = {
    INVALID_ARGUMENT: status.INVALID_ARGUMENT,
    NOT_FOUND: status.NOT_FOUND,
    ALREADY_EXISTS: status.ALREADY_EXISTS,
    FAILED_PRECONDITION: status.FAILED_PRECONDITION,
    PERMISSION_DENIED: status.PERMISSION_DENIED,
    UNAUTHENTICATED: status.UNAUTHENTICATED,
    UNAVAILABLE: status.UNAVAILABLE,
    ABORTED: status.ABORTED,
    INTERNAL: status.INTERNAL,
  };

  it.each(Object.entries(cases))('maps %s to the gRPC status of the same name', (code, want) => {
    expect(grpcCode(code as ErrorCode)).toBe(want);
    expect(status[want]).toBe(code);
  });

  it('throws for a code outside the union (what assertUnreachable guards at compile time)', () => {
    expect(() => grpcCode('TEAPOT' as ErrorCode)).toThrow('unmapped error code TEAPOT');
  });
});

describe('GrpcExceptionFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('answers an AgentsError with its code and message', async () => {
    expect(await statusOf(new AgentsError('NOT_FOUND', 'agent a not found in namespace n'))).toEqual({
      code: status.NOT_FOUND,
      message: 'agent a not found in namespace n',
    });
  });

  it('bounds the message of an AgentsError that quotes a huge request', async () => {
    const err = (await statusOf(new AgentsError('INVALID_ARGUMENT', `namespace: "${'x'.repeat(1_000_000)}"`))) as {
      message: string;
    };
    expect(err.message.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(err.message).toMatch(/^namespace: "x+… \(truncated\)$/);
  });

  it('passes an RpcException through as it was raised', async () => {
    expect(await statusOf(new RpcException({ code: status.CANCELLED, message: 'client went away' }))).toEqual({
      code: status.CANCELLED,
      message: 'client went away',
    });
  });

  it.each([
    ['an Error', new TypeError('cannot read properties of undefined (secret stack below)')],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
  ])('answers %s with INTERNAL and a message that leaks nothing', async (_case, exception) => {
    expect(await statusOf(exception)).toEqual({
      code: status.INTERNAL,
      message: 'internal error (see the control plane logs)',
    });
  });
});

describe('boundedMessage', () => {
  const wire = (s: string) =>
    [...Buffer.from(s)].reduce((n, b) => n + (b >= 0x20 && b <= 0x7e && b !== 0x25 ? 1 : 3), 0);

  it.each([
    ['a short message', 'agent a not found', 'agent a not found'],
    ['one exactly at the bound', 'y'.repeat(MAX_MESSAGE_BYTES), 'y'.repeat(MAX_MESSAGE_BYTES)],
  ])('keeps %s as it is', (_case, message, want) => {
    expect(boundedMessage(message)).toBe(want);
  });

  it.each([
    ['ASCII', 'a'.repeat(10_000)],
    ['three-byte characters (percent-encoded to nine bytes each)', '日'.repeat(2_000)],
    ['emoji and percent signs', '😀%'.repeat(2_000)],
  ])('cuts a long message of %s to the bound on the wire, saying it was cut', (_case, message) => {
    const bounded = boundedMessage(message);
    expect(wire(bounded)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(wire(bounded)).toBeGreaterThan(MAX_MESSAGE_BYTES / 2);
    expect(bounded.endsWith('… (truncated)')).toBe(true);
    expect(message.startsWith(bounded.slice(0, -'… (truncated)'.length))).toBe(true);
  });
});
