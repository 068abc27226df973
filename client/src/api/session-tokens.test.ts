import { describe, expect, it } from 'vitest';
import { sessionTokens } from './session-tokens.ts';

/** A session whose refresh ends in `outcome`, optionally with a new token. */
function session(outcome: string, renewed: string | null) {
  const s = {
    accessToken: 'old' as string | null,
    async refresh() {
      if (renewed !== null) s.accessToken = renewed;
      return outcome;
    },
  };
  return s;
}

describe('session tokens', () => {
  it('reads the current token and answers a refresh with the renewed one', async () => {
    const tokens = sessionTokens(session('signed-in', 'new'));
    expect(tokens.getAccessToken()).toBe('old');
    await expect(tokens.refreshAccessToken()).resolves.toBe('new');
  });

  it('answers null when the session has ended, so the caller is signed out', async () => {
    await expect(sessionTokens(session('expired', null)).refreshAccessToken()).resolves.toBeNull();
  });

  it('rejects when the session is still on but no new token came (server unreachable), so the call is retried later', async () => {
    await expect(sessionTokens(session('signed-in', null)).refreshAccessToken()).rejects.toThrow(/could not be renewed/);
  });
});
