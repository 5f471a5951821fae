import { ScaffoldError } from './errors.ts';

const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** A generated unit's name: kebab-case, so it is a valid folder, file and module name everywhere. */
export function assertKebabName(name: string, what: string): string {
  if (!KEBAB.test(name))
    throw new ScaffoldError(
      'PLUMEGO_SCAFFOLD_BAD_NAME',
      `${what} name '${name}' must be kebab-case (lowercase letters and digits, words joined by '-')`,
    );
  return name;
}

/** `rate-limit` → `RateLimit`. */
export function toPascal(name: string): string {
  return name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** `rate-limit` → `rateLimit`. */
export function toCamel(name: string): string {
  const pascal = toPascal(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}
