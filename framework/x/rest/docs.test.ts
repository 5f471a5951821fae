import { describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { generateDocument } from 'plumego/x/openapi';
import { t } from 'plumego/x/validate';
import { resourceDocs } from './docs.ts';
import { MemoryRepository } from './memory-repository.ts';
import { registerResource, type ResourceDefinition } from './resource.ts';
import type { Row } from './repository.ts';

describe('resource docs', () => {
  it('documents every route with the very schemas the handlers validate with', () => {
    const create = t.object({ name: t.string({ minLength: 1 }), priority: t.integer() });
    const def: ResourceDefinition<Row> = {
      name: 'projects',
      create,
      versionField: 'version',
      schema: t.object({ id: t.integer(), name: t.string(), priority: t.integer(), version: t.integer() }),
      list: { sort: ['name'], filters: { priority: { type: 'integer', ops: ['eq', 'gte'] } } },
    };
    const app = createApp();
    registerResource(app, def, new MemoryRepository<Row>());
    const doc = generateDocument(app.routes(), { hints: resourceDocs(def) }) as unknown as {
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            parameters?: { name: string }[];
            requestBody?: { content: Record<string, { schema: unknown }> };
            responses: Record<string, unknown>;
          }
        >
      >;
    };
    const post = doc.paths['/projects']!['post']!;
    expect(post.operationId).toBe('projects.create');
    expect(post.requestBody!.content['application/json']!.schema).toEqual(create.jsonSchema);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '409', '422']));
    const list = doc.paths['/projects']!['get']!;
    expect(list.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['page', 'page_size', 'sort', 'cursor', 'priority', 'priority[gte]']),
    );
    const patch = doc.paths['/projects/{id}']!['patch']!;
    expect(patch.parameters!.map((p) => p.name)).toContain('if-match');
    expect(Object.keys(doc.paths['/projects/{id}']!).sort()).toEqual(
      expect.arrayContaining(['delete', 'get', 'patch', 'put']),
    );
  });
});
