import type { AccessTokens } from './http.ts';

/** The part of the session store (`stores/session.ts`) a token source needs. */
export interface RenewableSession {
  readonly accessToken: string | null;
  /** Renews the access token from the refresh cookie; resolves the session state afterwards ('signed-in', …). */
  refresh(): Promise<string>;
}

/**
 * The session's access token, renewed through the session (one refresh at a time across tabs, see
 * the store): null when the session is over; a rejection when the server could not be asked, so the
 * call fails as offline and is tried again later.
 */
export function sessionTokens(session: RenewableSession): Required<AccessTokens> {
  return {
    getAccessToken: () => session.accessToken,
    async refreshAccessToken() {
      const before = session.accessToken;
      const state = await session.refresh();
      if (state !== 'signed-in') return null;
      if (session.accessToken && session.accessToken !== before) return session.accessToken;
      // Still signed in but no new token (the server could not be reached): retry later.
      throw new Error('The session could not be renewed just now.');
    },
  };
}
