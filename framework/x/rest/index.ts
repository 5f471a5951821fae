export { REST_ERROR_CODES, RestError, isRestError } from './errors.ts';
export type { RestErrorCode } from './errors.ts';
export type {
  BatchDeleteResult,
  FieldType,
  Filter,
  FilterOp,
  ListQuery,
  Repository,
  RepositoryContext,
  Row,
  Sort,
  UpdateOptions,
} from './repository.ts';
export { encodeCursor, parseListQuery, QueryProblem, resolveListOptions } from './query.ts';
export type { FilterSpec, ListOptions, ResolvedListOptions } from './query.ts';
export { MemoryRepository } from './memory-repository.ts';
export type { MemoryRepositoryOptions } from './memory-repository.ts';
export { KyselyRepository } from './kysely-repository.ts';
export type { DirectPool, KyselyRepositoryOptions } from './kysely-repository.ts';
export { registerResource } from './resource.ts';
export type {
  BatchOptions,
  RegisterResourceOptions,
  ResourceDefinition,
  ResourceHooks,
  RouteRegistrar,
} from './resource.ts';
export { resourceDocs } from './docs.ts';
export type { ResourceOperationHint } from './docs.ts';
export { apiVersion, apiVersionFromContext } from './versioning.ts';
export type { ApiVersionOptions, VersionSource } from './versioning.ts';
