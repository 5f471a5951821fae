export { DbInsights } from './db-insights.ts';
export type {
  DbInsightsOptions,
  DbInsightsReport,
  QueryObservation,
  SlowQuery,
  StatementStats,
} from './db-insights.ts';
export { DBINSIGHTS_ERRORS, DbInsightsError, isDbInsightsError } from './errors.ts';
export type { DbInsightsErrorCode } from './errors.ts';
export { fingerprintSql } from './fingerprint.ts';
