import { classifyProviderFailure } from './provider-failure.js';

describe('classifyProviderFailure', () => {
  it.each([
    ['an expired token', 'stream error: token_expired', 'auth'],
    ['a revoked grant', '{"error":"invalid_grant"}', 'auth'],
    ['a refresh token the provider refused', 'Your refresh token was already used', 'auth'],
    ['a ChatGPT sign-in prompt', 'ChatGPT authentication required to continue', 'auth'],
    ['an HTTP 401', 'HTTP/1.1 401 Unauthorized', 'auth'],
    ['a usage limit', "You've hit your usage limit", 'capacity'],
    ['an exhausted quota', 'insufficient_quota', 'capacity'],
    ['a rate limit', 'Rate limit reached for gpt in organization', 'capacity'],
    ['an exhausted resource', 'RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).', 'capacity'],
  ])('reads %s as a provider failure', (_, text, kind) => {
    expect(classifyProviderFailure(`first line\n${text}\nlast line`)).toEqual({ kind, line: text });
  });

  it.each([
    ['a crash', 'TypeError: cannot read properties of undefined'],
    ['nothing', ''],
  ])('does not blame the provider for %s', (_, text) => {
    expect(classifyProviderFailure(text)).toBeUndefined();
  });

  it('blames the credentials before the capacity when a log shows both', () => {
    expect(classifyProviderFailure('rate limit reached\nretrying\ninvalid_grant')?.kind).toBe('auth');
  });
});
