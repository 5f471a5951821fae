/** The counts a mutation run is judged by, from Stryker's per-mutant statuses. */
export interface MutationCounts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Compile and runtime errors and ignored mutants: not counted either way (Stryker's own rule). */
  invalid: number;
}

export function countStatuses(statuses: readonly string[]): MutationCounts {
  const c: MutationCounts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, invalid: 0 };
  for (const s of statuses) {
    if (s === 'Killed') c.killed++;
    else if (s === 'Timeout') c.timeout++;
    else if (s === 'Survived') c.survived++;
    else if (s === 'NoCoverage') c.noCoverage++;
    else c.invalid++;
  }
  return c;
}

/** Detected / (detected + undetected), in percent with one decimal; 100 when nothing was valid. */
export function mutationScore(c: MutationCounts): number {
  const detected = c.killed + c.timeout;
  const valid = detected + c.survived + c.noCoverage;
  return valid === 0 ? 100 : Math.round((detected / valid) * 1000) / 10;
}
