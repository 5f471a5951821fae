export { httpMetrics } from './http-metrics.ts';
