/** Which of a pair a token is; a refresh token is never accepted where an access token is expected. */
export type TokenType = 'access' | 'refresh';

export interface IdentityClaims {
  /** Subject id. Required, non-empty. */
  sub: string;
  /** Credential version: bump it to invalidate every token issued before. Default: 0. */
  ver?: number;
}

export interface AuthorizationClaims {
  roles?: readonly string[];
  permissions?: readonly string[];
}

/**
 * The payload this module issues — the reference implementation's shape (for token interop) plus a
 * standard top-level `sub`. `aud` is a single string.
 */
export interface JwtClaims {
  jti: string;
  token_type: TokenType;
  identity: { sub: string; ver: number };
  authorization: { roles: string[]; permissions: string[] };
  sub: string;
  iss: string;
  aud: string;
  iat: number;
  nbf: number;
  exp: number;
  kid: string;
}

/** What `generateTokenPair` returns; field names follow OAuth 2.0 (RFC 6749 §5.1). */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  /** Access token lifetime in seconds. */
  expires_in: number;
  token_type: 'Bearer';
}
