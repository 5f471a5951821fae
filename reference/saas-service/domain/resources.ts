import { REST_ERROR_CODES, RestError, type ResourceDefinition, type Row } from 'plumego/x/rest';
import { t } from 'plumego/x/validate';

/** What every tenant row hides from clients: the tenant column is the server's business. */
const hideTenant = ({ tenant_id: _tenant, ...row }: Row): Row => row;

export const projectsResource: ResourceDefinition<Row> = {
  name: 'projects',
  create: t.object({
    name: t.string({ minLength: 1, maxLength: 120 }),
    description: t.optional(t.string({ maxLength: 2000 })),
    status: t.enum(['active', 'archived'] as const),
  }),
  schema: t.object({
    id: t.integer(),
    name: t.string(),
    description: t.optional(t.string()),
    status: t.string(),
    version: t.integer(),
  }),
  versionField: 'version',
  immutable: ['id', 'tenant_id'],
  list: {
    sort: ['name', 'status'],
    filters: { status: { type: 'string', ops: ['eq', 'in'] }, name: { type: 'string', ops: ['eq', 'contains'] } },
  },
  transform: hideTenant,
  batch: { create: true, delete: true, maxItems: 50 },
};

/** Tasks point at a project; `projectExists` checks it in the request's tenant, so a task can never hang off another tenant's project. */
export function tasksResource(
  projectExists: (id: number, ctx: import('plumego/contract').Context) => Promise<boolean>,
): ResourceDefinition<Row> {
  const checkProject = async (data: Row, r: { ctx: import('plumego/contract').Context }): Promise<Row> => {
    if (
      data['project_id'] !== undefined &&
      data['project_id'] !== null &&
      !(await projectExists(data['project_id'] as number, r.ctx))
    ) {
      throw new RestError(REST_ERROR_CODES.validation, 'the request body failed validation', {
        project_id: 'no such project',
      });
    }
    return data;
  };
  return {
    name: 'tasks',
    create: t.object({
      project_id: t.integer({ minimum: 1 }),
      title: t.string({ minLength: 1, maxLength: 200 }),
      done: t.boolean(),
      priority: t.integer({ minimum: 0, maximum: 9 }),
    }),
    versionField: 'version',
    immutable: ['id', 'tenant_id'],
    list: {
      sort: ['priority', 'title'],
      filters: {
        project_id: { type: 'integer', ops: ['eq', 'in'] },
        done: { type: 'boolean' },
        priority: { type: 'integer', ops: ['eq', 'gte', 'lte'] },
      },
    },
    hooks: { beforeCreate: checkProject, beforeUpdate: (_id, data, r) => checkProject(data, r) },
    transform: hideTenant,
    batch: { create: true, delete: true, maxItems: 50 },
  };
}
