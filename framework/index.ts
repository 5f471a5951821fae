// The root facade: app construction, its config types and `param`. Everything else is imported from
// its module's subpath (plumego/contract, plumego/router, plumego/middleware, …).
export { App, DEFAULT_APP_CONFIG, createApp } from 'plumego/core';
export type { AppConfig, AppDependencies } from 'plumego/core';
export { param } from 'plumego/router';
