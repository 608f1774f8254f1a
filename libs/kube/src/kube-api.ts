import type { KubeConfig } from '@kubernetes/client-node';
import https from 'node:https';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { KubeApiError, isNotFound } from './errors.js';
import type { ClusterAccess } from './kubeconfig.js';
import { TokenBucket } from './rate-limiter.js';
import { apiVersionOf, resourcePath, type ResourceType } from './resource.js';

export interface OwnerReferenceLike {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMetaLike {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReferenceLike[];
}

/** Any Kubernetes object: the client sends every other field as given. */
export interface KubeObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaLike;
}

/** What the write methods accept: a typed object, or a literal manifest with any fields. */
export type Manifest = KubeObjectLike | (KubeObjectLike & Record<string, unknown>);

export interface ObjectList<T> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string };
}

export interface RequestInfo {
  verb: string;
  resource: string;
  code: number;
  durationMs: number;
}

export interface KubeApiOptions {
  /** Client-side rate limit (requests per second; 0 = none) and burst; watches are not limited. */
  qps?: number;
  burst?: number;
  userAgent?: string;
  /** Deadline of a non-watch request. */
  requestTimeoutMs?: number;
  /** Called after every request (metrics). */
  onRequest?: (info: RequestInfo) => void;
  /** Called before every write (POST, PUT, PATCH, DELETE); throwing refuses the write (leader gating). */
  beforeWrite?: () => void;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Server-side timeout: the API server ends the watch cleanly after this long. */
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  /** Client-side: abort when nothing (not even a bookmark) arrived for this long (half-open connections). */
  idleTimeoutMs?: number;
}

/** A watch that delivered nothing, not even a bookmark, for its idle timeout: presumed half-open, aborted. */
export class WatchIdleError extends Error {
  override readonly name = 'WatchIdleError';
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  /** The Accept header (JSON unless said). */
  accept?: string;
}

const AUTH_TTL_MS = 30_000;

/**
 * A small Kubernetes REST client: JSON over one keep-alive HTTPS agent, client-side rate limiting, typed errors,
 * server-side apply, and raw watches. It sends objects exactly as given (client-node's typed serializer silently
 * drops keys it has no model for, such as x-kubernetes-* in CRD schemas).
 */
export class KubeApi {
  private authHeaders: Record<string, string> = {};
  private authAt = 0;
  private readonly limiter: TokenBucket;

  private constructor(
    private readonly auth: () => Promise<Record<string, string>>,
    readonly server: URL,
    private readonly agent: https.Agent | http.Agent,
    private readonly options: KubeApiOptions,
  ) {
    this.limiter = new TokenBucket(options.qps ?? 50, options.burst ?? 100);
  }

  /** A client for cluster access read by loadClusterAccess (no client-node at run time). */
  static fromAccess(access: ClusterAccess, options: KubeApiOptions = {}): KubeApi {
    const server = new URL(access.server);
    const agent =
      server.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            maxSockets: 64,
            ca: access.ca,
            cert: access.cert,
            key: access.key,
            ...(access.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}),
          })
        : new http.Agent({ keepAlive: true, maxSockets: 64 });
    const auth = async (): Promise<Record<string, string>> => {
      if (access.token) return { Authorization: `Bearer ${access.token}` };
      if (access.tokenFile) return { Authorization: `Bearer ${(await readFile(access.tokenFile, 'utf8')).trim()}` };
      return {};
    };
    return new KubeApi(auth, server, agent, options);
  }

  static async fromKubeConfig(kc: KubeConfig, options: KubeApiOptions = {}): Promise<KubeApi> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const server = new URL(cluster.server);
    const tls: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(tls);
    const agent =
      server.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            maxSockets: 64,
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
          })
        : new http.Agent({ keepAlive: true, maxSockets: 64 });
    const auth = async (): Promise<Record<string, string>> => {
      const opts: https.RequestOptions = { headers: {} };
      await kc.applyToHTTPSOptions(opts);
      (opts.agent as https.Agent | undefined)?.destroy();
      if (opts.auth) return { Authorization: `Basic ${Buffer.from(opts.auth).toString('base64')}` };
      const h = (opts.headers ?? {}) as Record<string, string>;
      const value = h.Authorization ?? h.authorization;
      return value ? { Authorization: value } : {};
    };
    return new KubeApi(auth, server, agent, options);
  }

  close(): void {
    this.agent.destroy();
  }

  /** Authorization headers of the current user, refreshed periodically (projected tokens rotate). */
  private async headers(): Promise<Record<string, string>> {
    if (Date.now() - this.authAt > AUTH_TTL_MS) {
      this.authHeaders = await this.auth();
      this.authAt = Date.now();
    }
    return this.authHeaders;
  }

  private url(path: string, query?: Query): URL {
    const u = new URL(path, this.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  /** One JSON request; resolves with the parsed body, throws KubeApiError for any status >= 400. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const text = await this.send(method, path, opts);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** One request; resolves with the body as text, throws KubeApiError for any status >= 400. */
  private async send(method: string, path: string, opts: RequestOptions): Promise<string> {
    await this.limiter.take();
    if (method !== 'GET') this.options.beforeWrite?.();
    const started = performance.now();
    const resource = resourceLabel(path);
    const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = {
      Accept: opts.accept ?? 'application/json',
      'User-Agent': this.options.userAgent ?? 'agents',
      ...(await this.headers()),
    };
    if (body) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    const { code, text } = await new Promise<{ code: number; text: string }>((resolve, reject) => {
      const req = (this.server.protocol === 'https:' ? https : http).request(
        this.url(path, opts.query),
        { method, headers, agent: this.agent, timeout: this.options.requestTimeoutMs ?? 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${path}: no response within ${this.options.requestTimeoutMs ?? 30_000} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    }).catch((err: unknown) => {
      this.options.onRequest?.({ verb: method, resource, code: 0, durationMs: performance.now() - started });
      throw err;
    });
    this.options.onRequest?.({ verb: method, resource, code, durationMs: performance.now() - started });
    if (code >= 400) throw KubeApiError.fromResponse(code, text, method, path);
    return text;
  }

  /** The tail of a container's log (the kubelet's, through the API server's pods/log). */
  podLog(
    namespace: string,
    pod: string,
    opts: { container?: string; tailLines?: number; limitBytes?: number } = {},
  ): Promise<string> {
    return this.send('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`, {
      query: opts,
      accept: 'text/plain, */*',
    });
  }

  /** The object, or undefined when it does not exist. */
  async get<T>(r: ResourceType, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', resourcePath(r, namespace, name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  list<T>(r: ResourceType, namespace: string | undefined, opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.request<ObjectList<T>>('GET', resourcePath(r, namespace), { query: { ...opts } });
  }

  /** Every page of a list; the resourceVersion of the first page (a consistent snapshot). */
  async listAll<T>(r: ResourceType, namespace: string | undefined, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await this.list<T>(r, namespace, { limit: 500, ...opts, continue: cont });
      items.push(...page.items);
      resourceVersion ??= page.metadata.resourceVersion;
      cont = page.metadata.continue || undefined;
    } while (cont);
    return { items, metadata: { resourceVersion } };
  }

  create<T>(r: ResourceType, obj: Manifest, opts: { dryRun?: boolean; fieldManager?: string } = {}): Promise<T> {
    return this.request<T>('POST', resourcePath(r, obj.metadata?.namespace), {
      body: withTypeMeta(r, obj),
      query: { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager },
    });
  }

  /** Server-side apply (force) as `fieldManager`; `subresource: 'status'` applies the status. */
  apply<T>(
    r: ResourceType,
    obj: Manifest,
    fieldManager: string,
    opts: { subresource?: string; force?: boolean; dryRun?: boolean } = {},
  ): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`server-side apply of a ${r.kind} needs metadata.name`);
    return this.request<T>('PATCH', resourcePath(r, obj.metadata?.namespace, name, opts.subresource), {
      body: withTypeMeta(r, obj),
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: opts.force ?? true, dryRun: opts.dryRun ? 'All' : undefined },
    });
  }

  /** JSON merge patch (RFC 7386); include metadata.resourceVersion in the patch for optimistic concurrency. */
  mergePatch<T>(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts: { subresource?: string; fieldManager?: string } = {},
  ): Promise<T> {
    return this.request<T>('PATCH', resourcePath(r, namespace, name, opts.subresource), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: opts.fieldManager },
    });
  }

  /** Deletes; resolves false when the object was already gone. */
  async delete(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan'; uid?: string } = {},
  ): Promise<boolean> {
    try {
      await this.request('DELETE', resourcePath(r, namespace, name), {
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
          ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}),
        },
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * One watch request. Calls `onEvent` for each event, in order; resolves when the server ends the watch (timeout),
   * rejects on an HTTP error (KubeApiError, e.g. 410 when the resourceVersion is too old), a broken connection, or
   * `idleTimeoutMs` without any event. `signal` aborts it (resolves).
   */
  async watch<T>(
    r: ResourceType,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (e: WatchEvent<T>) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const query: Query = {
      watch: 1,
      resourceVersion: opts.resourceVersion,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      timeoutSeconds: opts.timeoutSeconds,
      allowWatchBookmarks: opts.allowWatchBookmarks,
    };
    const path = resourcePath(r, namespace);
    const headers = {
      Accept: 'application/json',
      'User-Agent': this.options.userAgent ?? 'agents',
      ...(await this.headers()),
    };
    await new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return resolve();
      let idle: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const req = (this.server.protocol === 'https:' ? https : http).request(
        this.url(path, query),
        { method: 'GET', headers, agent: this.agent },
        (res) => {
          if ((res.statusCode ?? 0) >= 400) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              finish(
                KubeApiError.fromResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), 'WATCH', path),
              ),
            );
            return;
          }
          let buffer = '';
          const bump = () => {
            if (!opts.idleTimeoutMs) return;
            clearTimeout(idle);
            idle = setTimeout(() => {
              req.destroy();
              finish(new WatchIdleError(`watch ${path}: nothing received for ${opts.idleTimeoutMs} ms`));
            }, opts.idleTimeoutMs);
          };
          bump();
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            bump();
            buffer += chunk;
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, nl).trim();
              buffer = buffer.slice(nl + 1);
              if (!line) continue;
              let event: WatchEvent<T>;
              try {
                event = JSON.parse(line) as WatchEvent<T>;
              } catch (err) {
                req.destroy();
                return finish(new Error(`watch ${path}: unparsable event: ${String(err)}`));
              }
              if (event.type === 'ERROR') {
                const status = event.object as { code?: number; reason?: string; message?: string };
                req.destroy();
                return finish(
                  new KubeApiError(
                    status.code ?? 500,
                    status.reason ?? 'Unknown',
                    status.message ?? 'watch error',
                    'WATCH',
                    path,
                  ),
                );
              }
              try {
                onEvent(event);
              } catch (err) {
                req.destroy();
                return finish(err);
              }
            }
          });
          res.on('end', () => finish());
          res.on('error', (err) => finish(err));
          res.on('close', () => finish(signal?.aborted ? undefined : new Error(`watch ${path}: connection closed`)));
        },
      );
      const onAbort = () => {
        req.destroy();
        finish();
      };
      signal?.addEventListener('abort', onAbort);
      req.on('error', (err) => finish(signal?.aborted ? undefined : err));
      req.end();
    });
  }
}

function withTypeMeta(r: ResourceType, obj: Manifest): Manifest {
  // Spread keeps every field of the object (spec, status, data…), not only those KubeObjectLike names.
  return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(r), kind: obj.kind ?? r.kind };
}

/** `jobs`, `agentruns/status`: the resource (and subresource) a path addresses, for metrics. */
function resourceLabel(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const nsIndex = parts.indexOf('namespaces');
  const rest =
    nsIndex >= 0 && parts.length > nsIndex + 2 ? parts.slice(nsIndex + 2) : parts.slice(parts[0] === 'api' ? 2 : 3);
  return rest.length >= 3 ? `${rest[0]}/${rest[2]}` : (rest[0] ?? 'unknown');
}
