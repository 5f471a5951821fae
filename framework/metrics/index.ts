export { HTTP_REQUEST_METRIC, createHTTPRecord } from './collector.ts';
export type {
  AggregateCollector,
  CollectorStats,
  HTTPObserver,
  MetricRecord,
  Recorder,
  Resetter,
  StatsReader,
} from './collector.ts';
export { BaseMetricsCollector, NoopCollector, createNoopCollector } from './base.ts';
export { MultiCollector, createMultiCollector } from './multi.ts';
