export { BullMqTaskQueue } from './bullmq-task-queue.ts';
export type { BullMqTaskQueueOptions } from './bullmq-task-queue.ts';
export { MQ_ERROR_CODES, MqError, isMqError } from './errors.ts';
export type { MqErrorCode } from './errors.ts';
export { DEFAULT_JOB_OPTIONS, getRetryDelay, resolveJobOptions } from './options.ts';
export type { ResolvedJobOptions } from './options.ts';
export { SqliteTaskQueue } from './sqlite-task-queue.ts';
export type { SqliteTaskQueueOptions } from './sqlite-task-queue.ts';
export type {
  AddResult,
  Backoff,
  JobContext,
  JobHandler,
  JobOptions,
  JobRecord,
  JobState,
  StopOptions,
  StopResult,
  TaskQueue,
  Worker,
  WorkerOptions,
} from './types.ts';
