export { App, createApp } from './app.ts';
export type { PreparationState, ShutdownOptions, ShutdownResult } from './app.ts';
export { DEFAULT_APP_CONFIG, parseAddr, resolveAppConfig } from './config.ts';
export type { AppConfig, AppDependencies, ResolvedAppConfig } from './config.ts';
export { CoreError } from './errors.ts';
export type { CoreOperation } from './errors.ts';
export type { TestResponse } from './in-process.ts';
export { LifecycleGroup, createLifecycleGroup } from './lifecycle-group.ts';
export type { Component } from './lifecycle-group.ts';
