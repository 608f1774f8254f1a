import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { Clock } from '../../runtime/clock.js';

/** A GitHub App installation, as a VersionControlProvider with `auth.method: app` names it. */
export interface AppInstallation {
  apiBaseUrl: string;
  appId: string;
  installationId: string;
  /** Caps how long a minted token is used, in seconds (0: until GitHub's expiry). */
  tokenTtlSeconds: number;
}

/** Why no token could be minted. `permanent`: the same request fails again (bad key, 401, 404), so do not wait. */
export class AppTokenError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'AppTokenError';
  }
}

const base64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * The App's JSON Web Token (RS256), as GitHub asks for it: issued 30 s in the past against clock drift, expiring
 * 540 s after now (GitHub refuses more than 10 minutes).
 */
export function appJwt(appId: string, privateKey: KeyObject, now: Date): string {
  const seconds = Math.floor(now.getTime() / 1000);
  const signed = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(
    JSON.stringify({ iat: seconds - 30, exp: seconds + 540, iss: appId }),
  )}`;
  return `${signed}.${base64url(sign('sha256', Buffer.from(signed), privateKey))}`;
}

/** How long before its expiry a cached token is replaced: 10 % of its lifetime, within [30 s, 300 s]. */
export function refreshWindowMs(ttlMs: number): number {
  return Math.min(300_000, Math.max(30_000, ttlMs / 10));
}

interface Cached {
  token: string;
  /** When the token stops being handed out (its expiry, or the TTL cap, minus the refresh window). */
  refreshAt: number;
}

/**
 * Installation access tokens of GitHub Apps (REFERENCE §3.6): minted with the App's JWT through
 * `POST <apiBaseUrl>/app/installations/<id>/access_tokens`, cached per API base URL and installation until their
 * refresh window, one request in flight per installation however many runs start together.
 */
export class GitHubAppTokens {
  private readonly cache = new Map<string, Cached>();
  private readonly minting = new Map<string, Promise<Cached>>();

  constructor(
    private readonly clock: Clock,
    private readonly fetchFn: typeof fetch = fetch,
    private readonly timeoutMs = 10_000,
  ) {}

  /** A token for the installation; `privateKeyPem` is read only when one has to be minted. */
  async token(installation: AppInstallation, privateKeyPem: () => Promise<string>): Promise<string> {
    const key = `${installation.apiBaseUrl}|${installation.installationId}`;
    const cached = this.cache.get(key);
    if (cached && this.clock.now().getTime() < cached.refreshAt) return cached.token;
    let pending = this.minting.get(key);
    if (!pending) {
      pending = this.mint(installation, privateKeyPem)
        .then((minted) => {
          this.cache.set(key, minted);
          return minted;
        })
        .finally(() => this.minting.delete(key));
      this.minting.set(key, pending);
    }
    return (await pending).token;
  }

  private async mint(installation: AppInstallation, privateKeyPem: () => Promise<string>): Promise<Cached> {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(await privateKeyPem());
    } catch (err) {
      if (err instanceof AppTokenError) throw err;
      throw new AppTokenError(`the App's private key is not a PEM private key: ${(err as Error).message}`, true);
    }
    const mintedAt = this.clock.now();
    const url = `${installation.apiBaseUrl.replace(/\/+$/, '')}/app/installations/${encodeURIComponent(
      installation.installationId,
    )}/access_tokens`;
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${appJwt(installation.appId, privateKey, mintedAt)}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'agents-controllers',
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new AppTokenError(`POST ${url}: ${(err as Error).message}`, false);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      const detail = (() => {
        try {
          return (JSON.parse(text) as { message?: string }).message ?? text;
        } catch {
          return text;
        }
      })().slice(0, 200);
      // 408, 429 and 5xx pass; anything else is the App's configuration (wrong id, key or installation).
      const transient = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new AppTokenError(`POST ${url} answered ${res.status}${detail ? `: ${detail}` : ''}`, !transient);
    }
    let body: { token?: unknown; expires_at?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = {};
    }
    const expiresAt = typeof body.expires_at === 'string' ? Date.parse(body.expires_at) : NaN;
    if (typeof body.token !== 'string' || !body.token || Number.isNaN(expiresAt))
      throw new AppTokenError(`POST ${url} answered without a token and its expires_at`, false);
    const capped =
      installation.tokenTtlSeconds > 0
        ? Math.min(expiresAt, mintedAt.getTime() + installation.tokenTtlSeconds * 1000)
        : expiresAt;
    const ttlMs = capped - mintedAt.getTime();
    return { token: body.token, refreshAt: capped - refreshWindowMs(ttlMs) };
  }
}
