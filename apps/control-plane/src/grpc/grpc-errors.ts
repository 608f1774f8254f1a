import { status } from '@grpc/grpc-js';
import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { AgentsError, type ErrorCode } from '../errors.js';

function assertUnreachable(x: never): never {
  throw new Error(`unmapped error code ${String(x)}`);
}

/** The one mapping from our error codes to gRPC status codes; an unmapped code does not compile. */
export function grpcCode(code: ErrorCode): status {
  switch (code) {
    case 'INVALID_ARGUMENT':
      return status.INVALID_ARGUMENT;
    case 'NOT_FOUND':
      return status.NOT_FOUND;
    case 'ALREADY_EXISTS':
      return status.ALREADY_EXISTS;
    case 'FAILED_PRECONDITION':
      return status.FAILED_PRECONDITION;
    case 'PERMISSION_DENIED':
      return status.PERMISSION_DENIED;
    case 'UNAUTHENTICATED':
      return status.UNAUTHENTICATED;
    case 'UNAVAILABLE':
      return status.UNAVAILABLE;
    case 'ABORTED':
      return status.ABORTED;
    case 'INTERNAL':
      return status.INTERNAL;
    default:
      return assertUnreachable(code);
  }
}

/** Bytes a status message may take on the wire (grpc-message is percent-encoded; clients cap trailer sizes). */
export const MAX_MESSAGE_BYTES = 4096;
const TRUNCATED = '… (truncated)';

function wireLength(s: string): number {
  let n = 0;
  for (const b of Buffer.from(s)) n += b >= 0x20 && b <= 0x7e && b !== 0x25 ? 1 : 3;
  return n;
}

/**
 * A message short enough for the grpc-message trailer: an error that quotes a megabyte of request (a huge
 * namespace, a manifest) would make the client drop the whole connection, failing every call on it.
 */
export function boundedMessage(message: string): string {
  if (wireLength(message) <= MAX_MESSAGE_BYTES) return message;
  let cut = Math.min(message.length, MAX_MESSAGE_BYTES);
  while (cut > 0 && wireLength(message.slice(0, cut)) + wireLength(TRUNCATED) > MAX_MESSAGE_BYTES)
    cut = Math.floor(cut * 0.9);
  return `${message.slice(0, cut)}${TRUNCATED}`;
}

/** Turns any error of a handler into a gRPC status with a message that names the bad field. Never leaks a stack. */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('gRPC');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (exception instanceof AgentsError)
      return throwError(() => ({ code: grpcCode(exception.code), message: boundedMessage(exception.message) }));
    if (exception instanceof RpcException) return throwError(() => exception.getError());
    this.logger.error(
      `Unexpected error: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
    return throwError(() => ({ code: status.INTERNAL, message: 'internal error (see the control plane logs)' }));
  }
}
