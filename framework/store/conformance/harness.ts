/**
 * The two functions a conformance suite needs from a test runner. Suites take them as a parameter
 * (vitest's `describe` and `it` fit) and assert with `node:assert`, so store's runtime surface never
 * imports a test framework, and any implementation — here, in x/data or in an app — can run the
 * same cases against its own backend.
 */
export interface ConformanceHarness {
  describe(name: string, fn: () => void): void;
  it: ConformanceTest;
}

export interface ConformanceTest {
  (name: string, fn: () => Promise<void> | void): void;
  /** Registers a case the implementation cannot run; the suite puts the reason in the title. */
  skip(name: string, fn: () => Promise<void> | void): void;
}

/** Awaits `promise` and returns the error it rejected with; fails when it resolves. */
export async function captureRejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

/** The `code` of a branded error, or undefined. */
export function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}
