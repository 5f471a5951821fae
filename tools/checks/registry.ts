import type { ControlPlane, LoadResult } from '../control-plane/index.ts';
import type { Violation } from '../control-plane/violation.ts';
import { checkSync } from '../sync/index.ts';

export interface CheckOptions {
  /** The load result the plane came from (its schema and meaning violations). */
  readonly load: LoadResult;
  /** When set, report only violations in these repository-relative files (from --changed). */
  readonly changedFiles?: readonly string[];
  /** Base git ref for --changed. */
  readonly base?: string;
}

export type CheckFn = (plane: ControlPlane, options: CheckOptions) => Promise<Violation[]>;

/** Checks the loader already ran: their violations are picked out of the load result. */
const fromLoad = (id: string): CheckFn => async (_plane, { load }) => load.violations.filter((v) => v.check === id);

/**
 * Every check the CLI can run, by the id used in specs/checks.yaml. A check listed in the spec
 * but missing here is a configuration error, so the spec and the code cannot drift apart.
 */
export const CHECKS: Readonly<Record<string, CheckFn>> = {
  specs: fromLoad('specs'),
  manifests: fromLoad('manifests'),
  layout: fromLoad('layout'),
  routing: fromLoad('routing'),
  tasks: fromLoad('tasks'),
  sync: async (plane) => checkSync(plane),
};
