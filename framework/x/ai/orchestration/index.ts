export { AI_ORCHESTRATION_ERROR_CODES, AiOrchestrationError, isAiOrchestrationError } from './errors.ts';
export type { AiOrchestrationErrorCode } from './errors.ts';
export { Workflow, defineWorkflow } from './workflow.ts';
export type {
  Budget,
  RetryPolicy,
  RunOptions,
  RunReport,
  Step,
  StepContext,
  StepReport,
  StepStatus,
  WorkflowUsage,
} from './workflow.ts';
