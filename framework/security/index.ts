export { SECURITY_ERRORS, SecurityError, isSecurityError } from './errors.ts';
export type { SecurityErrorCode, SecurityErrorOptions } from './errors.ts';
export { createPrincipal, principalFromContext, withPrincipal } from './authn/principal.ts';
export type { Principal, PrincipalInit } from './authn/principal.ts';
export type { Authenticator, Authorizer } from './authn/authenticator.ts';
export { extractBearerToken } from './authn/bearer.ts';
export { createStaticTokenAuthenticator } from './authn/static-token.ts';
export type { StaticTokenOptions } from './authn/static-token.ts';
export {
  DEFAULT_PASSWORD_HASH_OPTIONS,
  hashPassword,
  needsRehash,
  resolvePasswordHashOptions,
  verifyPassword,
} from './password/password.ts';
export type { PasswordHashOptions, PasswordScheme, ResolvedPasswordHashOptions } from './password/password.ts';
export {
  DEFAULT_PASSWORD_STRENGTH_OPTIONS,
  assertPasswordStrength,
  getPasswordStrengthIssues,
  resolvePasswordStrengthOptions,
} from './password/strength.ts';
export type {
  PasswordStrengthIssue,
  PasswordStrengthOptions,
  ResolvedPasswordStrengthOptions,
} from './password/strength.ts';
export { CspBuilder, getStrictCsp } from './headers/csp.ts';
export {
  assertSecurityPolicy,
  getDefaultSecurityPolicy,
  getSecurityHeaders,
  getStrictSecurityPolicy,
} from './headers/policy.ts';
export type {
  CrossOriginEmbedderPolicy,
  CrossOriginOpenerPolicy,
  CrossOriginResourcePolicy,
  FrameOptions,
  HstsOptions,
  ReferrerPolicy,
  SecurityHeaderPolicy,
} from './headers/policy.ts';
export { isSecureRequest, resolveSecureRequestOptions } from './headers/secure-request.ts';
export type { ResolvedSecureRequestOptions, SecureRequestOptions, TransportInfo } from './headers/secure-request.ts';
export { isHeaderName, isHeaderValue, isHttpToken } from './input/header.ts';
export { assertEmail, isValidEmail } from './input/email.ts';
export { assertUrl, isValidUrl } from './input/url.ts';
export type { UrlValidationOptions } from './input/url.ts';
export { assertPublicUrl, isPublicIpAddress, normalizeIpAddress, resolvePublicUrl } from './input/ssrf.ts';
export type { AddressLookup, PublicUrlResolveOptions, ResolvedPublicUrl } from './input/ssrf.ts';
export { DEFAULT_RATE_LIMITER_OPTIONS, RateLimiter, resolveRateLimiterOptions } from './abuse/limiter.ts';
export type {
  RateLimitDecision,
  RateLimiterOptions,
  RateLimiterStats,
  ResolvedRateLimiterOptions,
} from './abuse/limiter.ts';
export type { AuthorizationClaims, IdentityClaims, JwtClaims, TokenPair, TokenType } from './jwt/claims.ts';
export {
  InMemoryJwtKeyStore,
  JWT_ALGORITHMS,
  generateJwtKey,
  isJwtAlgorithm,
  parseJwtKey,
  serializeJwtKey,
} from './jwt/keys.ts';
export type { JwtAlgorithm, JwtKey, JwtKeyInfo, JwtKeyStore } from './jwt/keys.ts';
export { DEFAULT_JWT_OPTIONS, resolveJwtOptions } from './jwt/options.ts';
export type { JwtOptions, ResolvedJwtOptions } from './jwt/options.ts';
export { JwtManager, getPrincipalFromClaims } from './jwt/manager.ts';
export { createPermissionAuthorizer, createPolicyAuthorizer } from './jwt/authorizers.ts';
export type { AuthzPolicy, PermissionAuthorizerOptions } from './jwt/authorizers.ts';
