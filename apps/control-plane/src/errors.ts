import { KubeApiError } from '@agents/kube';

/** Codes of the errors the control plane returns; each transport maps them once (gRPC status, HTTP status). */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'UNAVAILABLE'
  | 'ABORTED'
  | 'INTERNAL';

export interface FieldViolation {
  field: string;
  message: string;
}

export class AgentsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly violations: FieldViolation[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AgentsError';
  }
}

export const invalid = (field: string, message: string) =>
  new AgentsError('INVALID_ARGUMENT', `${field}: ${message}`, [{ field, message }]);

/**
 * Server-side apply reports a manifest that does not fit the CRD schema (a wrong type, an undeclared field) as a 500
 * "failed to create typed patch object", one `.path: problem` per line: a bad request, not an outage.
 */
const TYPED_PATCH_FAILURE = /^failed to create typed patch object/;

function typedPatchViolations(status: string): FieldViolation[] {
  return [...status.matchAll(/(?:\n|\): )\s*\.([^\s:]+): ([^\n]+)/g)].map((m) => ({ field: m[1]!, message: m[2]! }));
}

/** A Kubernetes API failure as an AgentsError, keeping the API server's message (it names the field). */
export function fromKube(err: unknown, what: string): AgentsError {
  if (err instanceof AgentsError) return err;
  if (!(err instanceof KubeApiError)) {
    return new AgentsError(
      'UNAVAILABLE',
      `${what}: the Kubernetes API is unreachable: ${err instanceof Error ? err.message : String(err)}`,
      [],
      { cause: err },
    );
  }
  const status = err.message.replace(/^[A-Z]+ \S+: \d+ \w+: /, '');
  const violations = err.causes.filter((c) => c.field).map((c) => ({ field: c.field!, message: c.message ?? '' }));
  if (err.code === 500 && TYPED_PATCH_FAILURE.test(status))
    return new AgentsError('INVALID_ARGUMENT', `${what}: ${status}`, typedPatchViolations(status), { cause: err });
  switch (err.code) {
    case 400:
    case 413: // the object is larger than the API server takes
    case 422:
      return new AgentsError('INVALID_ARGUMENT', `${what}: ${status}`, violations, { cause: err });
    case 401:
      return new AgentsError('UNAVAILABLE', `${what}: the control plane's Kubernetes credentials were rejected`, [], {
        cause: err,
      });
    case 403:
      return new AgentsError('PERMISSION_DENIED', `${what}: ${status}`, [], { cause: err });
    case 404:
      return new AgentsError('NOT_FOUND', `${what}: not found`, [], { cause: err });
    case 409:
      return new AgentsError(err.reason === 'AlreadyExists' ? 'ALREADY_EXISTS' : 'ABORTED', `${what}: ${status}`, [], {
        cause: err,
      });
    default:
      return new AgentsError(err.code >= 500 ? 'UNAVAILABLE' : 'INTERNAL', `${what}: ${status}`, [], { cause: err });
  }
}
