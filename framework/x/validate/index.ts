export { assertValid, bindJson, bindParams, bindQuery, createValidationError, getQueryObject } from './bind.ts';
export type { BindOptions, BindSource } from './bind.ts';
export { SchemaError, VALIDATE_ERROR_CODES, isSchemaError } from './errors.ts';
export { t } from './schema.ts';
export type { Infer, InferObject, JsonSchema, OptionalSchema, Schema } from './schema.ts';
export { Validator, createValidator, getFieldIssues, getFieldPath, resolveValidatorOptions } from './validator.ts';
export type { FieldIssue, ResolvedValidatorOptions, ValidationResult, ValidatorOptions } from './validator.ts';
