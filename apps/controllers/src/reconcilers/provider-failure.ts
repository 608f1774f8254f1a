/**
 * What a provider's failure output says about the provider itself (REFERENCE §2.2, §2.9 step 7): its credentials
 * stopped working, or it ran out of capacity. One place decides, for a failed run's pod logs and for the AgentProvider
 * health rule that reads the recent runs.
 */
export type ProviderFailure = 'auth' | 'capacity';

const AUTH_FAILURE =
  /token_expired|invalid_grant|refresh token|refresh_token|chatgpt authentication required|401 unauthorized/i;
const CAPACITY_FAILURE = /usage limit|insufficient_quota|quota exceeded|rate limit|resource has been exhausted/i;

/** The kind of provider failure `text` reports, with the line that says so; auth wins over capacity. */
export function classifyProviderFailure(text: string): { kind: ProviderFailure; line: string } | undefined {
  const lines = text.split('\n');
  for (const [kind, pattern] of [
    ['auth', AUTH_FAILURE],
    ['capacity', CAPACITY_FAILURE],
  ] as const) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return { kind, line: line.trim() };
  }
  return undefined;
}
