// One place that turns a gRPC status into what the user reads and the exit code (an exhaustive switch over codes).
import { status } from '@grpc/grpc-js';
import { CliError, EXIT } from '../cli.errors.js';
import { formatDuration } from '../config/settings.js';

export interface GrpcFailure {
  code: number;
  details: string;
}

export function isGrpcFailure(err: unknown): err is GrpcFailure & Error {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'number' &&
    typeof (err as { details?: unknown }).details === 'string'
  );
}

/** What a call was about, so messages can name it. */
export interface CallTarget {
  /** `get`, `cancel`, `apply`, …: the verb for "cannot <verb> …". */
  verb: string;
  /** `agentrun` (singular kind), when the call addresses one object or kind. */
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface ConnectionInfo {
  address: string;
  timeoutMs: number;
}

/** grpc-js connection details without their boilerplate: "connect ECONNREFUSED 127.0.0.1:1". */
export function cleanDetails(details: string): string {
  return details
    .replace(/\s*Resolution note:\s*\.?\s*$/, '')
    .replace(/^No connection established\. Last error: (Error: )?/, '')
    .replace(/\.$/, '');
}

function subject(t: CallTarget): string {
  if (t.kind && t.name) return `${t.kind} ${t.name}`;
  return t.kind ?? 'the request';
}

/** Maps a failed call to a CliError whose message says what went wrong and what to do about it. */
export function grpcError(err: unknown, conn: ConnectionInfo, target: CallTarget): CliError {
  if (err instanceof CliError) return err;
  if (!isGrpcFailure(err)) {
    return new CliError(`${target.verb} failed: ${err instanceof Error ? err.message : String(err)}`, EXIT.failure, {
      cause: err,
    });
  }
  const details = cleanDetails(err.details || err.message || 'no details');
  const ns = target.namespace ? ` in namespace ${target.namespace}` : '';
  const fail = (message: string, code: (typeof EXIT)[keyof typeof EXIT] = EXIT.failure) =>
    new CliError(message, code, { cause: err });
  switch (err.code) {
    case status.UNAVAILABLE:
      return fail(
        `cannot reach the control plane at ${conn.address}: ${details}. ` +
          `Check that it is running, or set --server or AGENTCTL_SERVER (agentctl config set --server host:port)`,
        EXIT.unavailable,
      );
    case status.DEADLINE_EXCEEDED:
      return fail(
        `the control plane at ${conn.address} did not answer within ${formatDuration(conn.timeoutMs)}; ` +
          `raise --timeout or check the server`,
        EXIT.unavailable,
      );
    case status.UNAUTHENTICATED:
      return fail(
        `the control plane at ${conn.address} refused the credentials: ${details}. ` +
          `Set --token or AGENTCTL_TOKEN (agentctl config set --token …)`,
      );
    case status.PERMISSION_DENIED:
      return fail(`cannot ${target.verb} ${subject(target)}${ns}: permission denied: ${details}`);
    case status.NOT_FOUND:
      return fail(
        target.kind && target.name
          ? `${target.kind} ${target.name} not found${ns}`
          : `cannot ${target.verb} ${subject(target)}${ns}: not found: ${details}`,
      );
    case status.ALREADY_EXISTS:
      return fail(`cannot ${target.verb} ${subject(target)}${ns}: already exists: ${details}`);
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
      return fail(`cannot ${target.verb} ${subject(target)}${ns}: invalid: ${details}`);
    case status.FAILED_PRECONDITION:
    case status.ABORTED:
      return fail(`cannot ${target.verb} ${subject(target)}${ns}: ${details}`);
    case status.RESOURCE_EXHAUSTED:
      return fail(`the control plane is overloaded (${details}); try again later`, EXIT.unavailable);
    case status.UNIMPLEMENTED:
      return fail(
        `the control plane at ${conn.address} does not implement this call (${details}); ` +
          `it may be older than this agentctl`,
      );
    case status.CANCELLED:
      return fail(`the call was cancelled: ${details}`, EXIT.unavailable);
    case status.OK:
    case status.UNKNOWN:
    case status.INTERNAL:
    case status.DATA_LOSS:
      return fail(`the control plane failed to ${target.verb} ${subject(target)}${ns}: ${details}`);
    default:
      return fail(`the control plane failed to ${target.verb} ${subject(target)}${ns} (code ${err.code}): ${details}`);
  }
}
