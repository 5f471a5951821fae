export { authenticate, authorize, authorizeWith, getAuthError } from './auth.ts';
export type { AuthenticateOptions, AuthorizationTarget } from './auth.ts';
