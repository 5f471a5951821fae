/**
 * One definition of an error family: the stable codes of a module, the brand its errors carry, the
 * brand check and the fields every error of the family sets. Modules keep declaring their own
 * `class XError extends Error` (so the class, its constructor and its members stay their public API
 * as written) and delegate the rest here.
 */

/** What `defineErrorFamily` checks and remembers about a family. */
export interface ErrorFamilyInit<C extends string> {
  /** The class name every error of the family carries as `error.name`, e.g. `RestError`. */
  readonly name: string;
  /**
   * The family's brand, a registered symbol (`Symbol.for('plumego.<module>.error')`): two copies of the
   * package recognise each other's errors, which `instanceof` cannot.
   */
  readonly brand: symbol;
  /** The family's stable codes, as a table by key or a list. Each is UPPER_SNAKE_CASE and appears once. */
  readonly codes: Readonly<Record<string, C>> | readonly C[];
  /** The HTTP status of each code, for families whose errors carry one: every code, 400-599, nothing else. */
  readonly status?: Readonly<Record<C, number>>;
}

export interface ErrorFamily<C extends string> {
  readonly name: string;
  readonly brand: symbol;
  /** Every code of the family, in declaration order. */
  readonly codes: readonly C[];
  /** True for a code of this family. */
  hasCode(code: unknown): code is C;
  /** The brand check: true for an error of this family from any copy of the package. */
  is(value: unknown): boolean;
  /** The status of a code; 500 when the family declared no status table. */
  getStatus(code: C): number;
  /** Sets `name`, `code` and frozen `details` (and `status`, with a status table) on a just-constructed error. */
  stamp(error: Error, code: C, details?: object): void;
}

/** Thrown when an error family is defined with codes that could not stay stable. */
export class InvalidErrorFamilyError extends Error {
  readonly code = 'INVALID_ERROR_FAMILY';
  constructor(
    readonly family: string,
    readonly reason: string,
  ) {
    super(`invalid error family ${family}: ${reason}`);
    this.name = 'InvalidErrorFamilyError';
  }
}

const CODE_FORMAT = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const NAME_FORMAT = /^[A-Z][A-Za-z0-9]*Error$/;

function assertFamily(init: ErrorFamilyInit<string>): string[] {
  const fail = (reason: string): never => {
    throw new InvalidErrorFamilyError(String(init.name), reason);
  };
  if (typeof init.name !== 'string' || !NAME_FORMAT.test(init.name))
    fail('the name must be a PascalCase class name ending in "Error"');
  if (typeof init.brand !== 'symbol' || Symbol.keyFor(init.brand) === undefined)
    fail('the brand must be a registered symbol (Symbol.for)');
  const codes: unknown[] = Array.isArray(init.codes) ? [...init.codes] : Object.values(init.codes ?? {});
  if (codes.length === 0) fail('it needs at least one code');
  const seen = new Set<string>();
  for (const code of codes) {
    if (typeof code !== 'string' || !CODE_FORMAT.test(code))
      fail(`code ${JSON.stringify(code)} is not UPPER_SNAKE_CASE`);
    if (seen.has(code as string)) fail(`code ${code as string} appears twice`);
    seen.add(code as string);
  }
  if (init.status !== undefined) {
    for (const code of seen) {
      const status = (init.status as Record<string, unknown>)[code];
      if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599)
        fail(`code ${code} needs an error status (400-599)`);
    }
    for (const code of Object.keys(init.status))
      if (!seen.has(code)) fail(`the status table names ${code}, which is not a code of the family`);
  }
  return codes as string[];
}

/** Checks the family's codes once, when the module loads, and returns what its error class delegates to. */
export function defineErrorFamily<C extends string>(init: ErrorFamilyInit<C>): ErrorFamily<C> {
  const codes = assertFamily(init) as C[];
  const known = new Set<string>(codes);
  const { name, brand } = init;
  const status: Readonly<Record<string, number>> | undefined = init.status && Object.freeze({ ...init.status });
  return Object.freeze({
    name,
    brand,
    codes: Object.freeze(codes),
    hasCode: (code: unknown): code is C => typeof code === 'string' && known.has(code),
    is: (value: unknown): boolean =>
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true,
    getStatus: (code: C): number => status?.[code] ?? 500,
    stamp(error: Error, code: C, details?: object): void {
      const target = error as unknown as Record<string, unknown>;
      target['name'] = name;
      target['code'] = code;
      if (status !== undefined) target['status'] = status[code];
      if (details !== undefined) target['details'] = Object.freeze({ ...details });
    },
  });
}

/** `{ cause }` for Error's constructor, or undefined so that an error without a cause has no `cause` property. */
export function getErrorOptions(cause: unknown): ErrorOptions | undefined {
  return cause === undefined ? undefined : { cause };
}
