import { generateKeyPairSync, verify } from 'node:crypto';
import { FakeClock } from '../../runtime/clock.js';
import { AppTokenError, GitHubAppTokens, appJwt, refreshWindowMs, type AppInstallation } from './github-app-token.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const installation: AppInstallation = {
  apiBaseUrl: 'https://ghe.example/api/v3/',
  appId: '1234',
  installationId: '42',
  tokenTtlSeconds: 0,
};

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** A stand-in for GitHub's access_tokens endpoint: answers each call with the next reply, records the requests. */
function github(...replies: (() => Response)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const reply = replies[Math.min(calls.length, replies.length) - 1]!;
    return reply();
  }) as typeof fetch;
  return { calls, fetchFn };
}
const tokenReply = (token: string, expiresAt: Date) => () =>
  Response.json({ token, expires_at: expiresAt.toISOString() }, { status: 201 });
const NOON = '2026-06-01T12:00:00Z';
/** Tokens minted at noon (a fake clock) from a stand-in GitHub answering with `replies`. */
function given(...replies: (() => Response)[]) {
  const clock = new FakeClock(new Date(NOON));
  const gh = github(...replies);
  return { clock, gh, tokens: new GitHubAppTokens(clock, gh.fetchFn), key: async () => pem };
}

describe('appJwt', () => {
  it('is an RS256 JWT signed by the App key, issued 30 s back and expiring 540 s ahead, with the App as issuer', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const [header, payload, signature] = appJwt('1234', privateKey, now).split('.');
    expect(decode(header!)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const seconds = now.getTime() / 1000;
    expect(decode(payload!)).toEqual({ iat: seconds - 30, exp: seconds + 540, iss: '1234' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature!, 'base64url'))).toBe(
      true,
    );
  });
});

describe('refreshWindowMs', () => {
  it.each([
    ['an hour-long token is replaced 5 minutes before it expires (the cap)', 3_600_000, 300_000],
    ['a 20-minute token is replaced at 10 % of its life', 1_200_000, 120_000],
    ['a 2-minute token is still replaced 30 s before (the floor)', 120_000, 30_000],
  ])('%s', (_case, ttl, window) => expect(refreshWindowMs(ttl)).toBe(window));
});

describe('GitHubAppTokens', () => {
  it('mints through the installation endpoint with the JWT, then serves the cached token until its refresh window', async () => {
    const { clock, gh, tokens } = given(
      tokenReply('ghs_one', new Date('2026-06-01T13:00:00Z')),
      tokenReply('ghs_two', new Date('2026-06-01T14:00:00Z')),
    );
    let keyReads = 0;
    const readKey = async () => {
      keyReads += 1;
      return pem;
    };

    expect(await tokens.token(installation, readKey)).toBe('ghs_one');
    expect(gh.calls).toHaveLength(1);
    expect(gh.calls[0]!.url).toBe('https://ghe.example/api/v3/app/installations/42/access_tokens');
    expect(gh.calls[0]!.init.method).toBe('POST');
    const auth = (gh.calls[0]!.init.headers as Record<string, string>).authorization!;
    expect(auth).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(decode(auth.slice(7).split('.')[1]!).iss).toBe('1234');

    clock.advance(54 * 60_000); // 6 minutes left: still outside the 5-minute window
    expect(await tokens.token(installation, readKey)).toBe('ghs_one');
    expect(gh.calls).toHaveLength(1);
    expect(keyReads).toBe(1);

    clock.advance(2 * 60_000); // 4 minutes left: replaced
    expect(await tokens.token(installation, readKey)).toBe('ghs_two');
    expect(gh.calls).toHaveLength(2);
  });

  it('keeps one token per API base URL and installation', async () => {
    const { gh, tokens, key } = given(
      tokenReply('ghs_a', new Date('2026-06-01T13:00:00Z')),
      tokenReply('ghs_b', new Date('2026-06-01T13:00:00Z')),
    );
    await tokens.token(installation, key);
    expect(await tokens.token({ ...installation, installationId: '43' }, key)).toBe('ghs_b');
    expect(await tokens.token(installation, key)).toBe('ghs_a');
    expect(gh.calls.map((c) => c.url)).toEqual([
      'https://ghe.example/api/v3/app/installations/42/access_tokens',
      'https://ghe.example/api/v3/app/installations/43/access_tokens',
    ]);
  });

  it('sends one request for many runs that start together', async () => {
    const { gh, tokens, key } = given(tokenReply('ghs_one', new Date('2026-06-01T13:00:00Z')));
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.token(installation, key)));
    expect(new Set(all)).toEqual(new Set(['ghs_one']));
    expect(gh.calls).toHaveLength(1);
  });

  it('uses a token no longer than tokenTtlSeconds when that is shorter than GitHub gives', async () => {
    const { clock, tokens, key } = given(
      tokenReply('ghs_one', new Date('2026-06-01T13:00:00Z')),
      tokenReply('ghs_two', new Date('2026-06-01T13:10:00Z')),
    );
    const capped = { ...installation, tokenTtlSeconds: 600 }; // 10 minutes: replaced 60 s before
    await tokens.token(capped, key);
    clock.advance(8 * 60_000);
    expect(await tokens.token(capped, key)).toBe('ghs_one');
    clock.advance(90_000);
    expect(await tokens.token(capped, key)).toBe('ghs_two');
  });

  it.each([
    ['a refused JWT (401) is permanent', 401, { message: 'A JSON web token could not be decoded' }, true],
    ['an unknown installation (404) is permanent', 404, { message: 'Not Found' }, true],
    ['GitHub being down (503) passes', 503, { message: 'unavailable' }, false],
    ['a rate limit (429) passes', 429, { message: 'API rate limit exceeded' }, false],
  ])('%s', async (_case, status, body, permanent) => {
    const { tokens, key } = given(() => Response.json(body, { status }));
    const err = await tokens.token(installation, key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppTokenError);
    expect((err as AppTokenError).permanent).toBe(permanent);
    expect((err as AppTokenError).message).toBe(
      `POST https://ghe.example/api/v3/app/installations/42/access_tokens answered ${status}: ${body.message}`,
    );
  });

  it('does not cache a failure: the next call asks again', async () => {
    const { tokens, key } = given(
      () => Response.json({ message: 'unavailable' }, { status: 503 }),
      tokenReply('ghs_one', new Date('2026-06-01T13:00:00Z')),
    );
    await expect(tokens.token(installation, key)).rejects.toThrow('answered 503');
    expect(await tokens.token(installation, key)).toBe('ghs_one');
  });

  it('refuses a key that is not a PEM private key, permanently, without calling GitHub', async () => {
    const { gh, tokens } = given(tokenReply('never', new Date()));
    const err = (await tokens.token(installation, async () => 'not a key').catch((e: unknown) => e)) as AppTokenError;
    expect(err).toBeInstanceOf(AppTokenError);
    expect(err.permanent).toBe(true);
    expect(err.message).toMatch(/^the App's private key is not a PEM private key/);
    expect(gh.calls).toHaveLength(0);
  });

  it('treats an unreachable API and an answer without a token as passing failures', async () => {
    const down = new GitHubAppTokens(new FakeClock(), (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch);
    await expect(down.token(installation, async () => pem)).rejects.toMatchObject({
      permanent: false,
      message: 'POST https://ghe.example/api/v3/app/installations/42/access_tokens: fetch failed',
    });
    const odd = new GitHubAppTokens(new FakeClock(), github(() => Response.json({}, { status: 201 })).fetchFn);
    await expect(odd.token(installation, async () => pem)).rejects.toMatchObject({
      permanent: false,
      message: expect.stringContaining('answered without a token'),
    });
  });
});
