import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

export const ISSUER = 'mymidas';
export const AUDIENCE = 'mymidas-api';
export const ACCESS_TOKEN_SECONDS = 15 * 60;

export interface AccessClaims {
  userId: string;
  /** Refresh-token family this session belongs to; revoking the family ends the session. */
  familyId: string;
}

export class TokenError extends Error {
  constructor(readonly reason: string) {
    super(`access token refused: ${reason}`);
    this.name = 'TokenError';
  }
}

export interface TokenKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

export function tokenKeys(privatePem: string, publicPem: string, kid: string): TokenKeys {
  return { privateKey: createPrivateKey(privatePem), publicKey: createPublicKey(publicPem), kid };
}

export async function signAccessToken(keys: TokenKeys, claims: AccessClaims, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ fam: claims.familyId })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_SECONDS)
    .setJti(randomUUID())
    .sign(keys.privateKey);
}

/**
 * Accepts only RS256 under our key id, issuer and audience, unexpired. Everything else (alg none,
 * HS256 keyed with the public key, another key, another audience, expired) is a TokenError.
 */
export async function verifyAccessToken(keys: TokenKeys, token: string, now = Date.now()): Promise<AccessClaims> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, keys.publicKey, {
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(now),
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (protectedHeader.kid !== keys.kid) throw new TokenError('unknown key id');
    if (typeof payload.sub !== 'string' || typeof payload.fam !== 'string') throw new TokenError('missing claims');
    return { userId: payload.sub, familyId: payload.fam };
  } catch (err) {
    if (err instanceof TokenError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new TokenError('expired');
    if (err instanceof joseErrors.JOSEError) throw new TokenError(err.code);
    throw new TokenError('malformed');
  }
}
