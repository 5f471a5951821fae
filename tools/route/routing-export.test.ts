import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { createFixturePlane } from './testing/fixture-plane.ts';
import { buildRoutingExport } from './routing-export.ts';

const schema = JSON.parse(
  readFileSync(new URL('../../specs/schemas/routing-export.schema.json', import.meta.url), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

describe('buildRoutingExport', () => {
  const data = buildRoutingExport(createFixturePlane());

  it('matches its JSON Schema, so the docs site can rely on it', () => {
    const ok = validate(JSON.parse(JSON.stringify(data)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('carries every task, family, module and gate profile of the plane', () => {
    expect(data.tasks.map((t) => t.key)).toEqual(['cache_adapter', 'control_plane', 'gateway_edge', 'route_matching']);
    expect(data.families.map((f) => f.root)).toEqual(['x/gateway', 'x/data', 'x/frontend']);
    expect(data.modules).toHaveLength(createFixturePlane().modules.length);
    expect(data.gateProfiles.profiles.map((p) => p.strength)).toEqual(
      [...data.gateProfiles.profiles.map((p) => p.strength)].sort((a, b) => a - b),
    );
    expect(data.gateProfiles.areas.map((a) => a.id)).toContain('docs');
  });

  it('is stable for the same plane (the sync drift check depends on it)', () => {
    expect(JSON.stringify(buildRoutingExport(createFixturePlane()))).toBe(JSON.stringify(data));
  });
});
