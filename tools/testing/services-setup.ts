/**
 * Vitest global setup: probes each real service once per run and hands the reachable ones to the
 * tests through `inject('services')`. Under `CI` an unreachable service fails the run with the
 * command that starts it (CI must never pass by skipping); elsewhere its tests are skipped and one
 * line per service says so, so `npm test` still passes on a laptop without servers.
 */
import type { TestProject } from 'vitest/node';
import { SERVICE_SPECS, probeAll, type PlumegoServices } from './services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    services: PlumegoServices;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const { services, missing } = await probeAll(process.env);
  project.provide('services', services);
  if (missing.length === 0) return;
  const lines = missing.map(
    ({ spec, address }) => `${spec.label}: nothing answers on ${address} — start it with: ${spec.start}`,
  );
  if (process.env.CI) {
    throw new Error(`services required under CI are unreachable:\n${lines.join('\n')}`);
  }
  for (const line of lines) console.warn(`skipping ${line.split(':')[0]} tests — ${line}`);
}

export { SERVICE_SPECS };
