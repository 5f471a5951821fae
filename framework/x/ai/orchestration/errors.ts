import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for a workflow run. */
export const AI_ORCHESTRATION_ERROR_CODES = {
  invalidWorkflow: 'AI_ORCHESTRATION_INVALID_WORKFLOW',
  stepFailed: 'AI_ORCHESTRATION_STEP_FAILED',
  timeout: 'AI_ORCHESTRATION_TIMEOUT',
  budgetExceeded: 'AI_ORCHESTRATION_BUDGET_EXCEEDED',
  aborted: 'AI_ORCHESTRATION_ABORTED',
} as const;

export type AiOrchestrationErrorCode = (typeof AI_ORCHESTRATION_ERROR_CODES)[keyof typeof AI_ORCHESTRATION_ERROR_CODES];

const STATUS: Record<AiOrchestrationErrorCode, number> = {
  AI_ORCHESTRATION_INVALID_WORKFLOW: 500,
  AI_ORCHESTRATION_STEP_FAILED: 502,
  AI_ORCHESTRATION_TIMEOUT: 504,
  AI_ORCHESTRATION_BUDGET_EXCEEDED: 429,
  AI_ORCHESTRATION_ABORTED: 499,
};

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.orchestration.error');
const family = defineErrorFamily({
  name: 'AiOrchestrationError',
  brand: BRAND,
  codes: AI_ORCHESTRATION_ERROR_CODES,
  status: STATUS,
});

export class AiOrchestrationError extends Error {
  declare readonly code: AiOrchestrationErrorCode;
  declare readonly status: number;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: AiOrchestrationErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isAiOrchestrationError(value: unknown): value is AiOrchestrationError {
  return family.is(value);
}
