export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A failed Kubernetes API request, with the Status the API server returned. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    /** The API server's own message (the Status `message`), without the request it answered. */
    readonly statusMessage: string,
    readonly verb: string,
    readonly path: string,
    readonly causes: StatusCause[] = [],
  ) {
    super(`${verb} ${path}: ${code} ${reason}: ${statusMessage}`);
    this.name = 'KubeApiError';
  }

  static fromResponse(code: number, body: string, verb: string, path: string): KubeApiError {
    try {
      const status = JSON.parse(body) as { reason?: string; message?: string; details?: { causes?: StatusCause[] } };
      return new KubeApiError(
        code,
        status.reason ?? 'Unknown',
        status.message ?? body,
        verb,
        path,
        status.details?.causes,
      );
    } catch {
      return new KubeApiError(code, 'Unknown', body.slice(0, 500), verb, path);
    }
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.code === 404;
export const isConflict = (e: unknown): boolean =>
  e instanceof KubeApiError && e.code === 409 && e.reason === 'Conflict';
export const isAlreadyExists = (e: unknown): boolean =>
  e instanceof KubeApiError && e.code === 409 && e.reason === 'AlreadyExists';
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.code === 410;
export const isForbidden = (e: unknown): boolean => e instanceof KubeApiError && e.code === 403;
