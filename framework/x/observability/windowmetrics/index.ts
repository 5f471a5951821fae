export { WINDOW_METRICS_ERRORS, WindowMetricsError, isWindowMetricsError } from './errors.ts';
export type { WindowMetricsErrorCode } from './errors.ts';
export { WindowMetrics } from './window-metrics.ts';
export type { WindowMetricsOptions } from './window-metrics.ts';
export type { WindowStats } from './window-series.ts';
