import { ts } from 'ts-morph';

/**
 * How a code surfaces: `wire` where it becomes an error envelope's code (an APIError init, the
 * builder, an error table); `typed` where it only names an Error subclass's failure (a class field,
 * a constructor argument) that callers catch in-process.
 */
export type CodeSurface = 'wire' | 'typed';

/** An error code found in source: where, and whether (and how) it is emitted there. */
export interface CodeSite {
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** True in an emitting position (see below); false for a mere mention (a comparison, a map key). */
  readonly emitted: boolean;
  /** For emitted sites. */
  readonly surface?: CodeSurface;
}

/** Codes are UPPER_SNAKE (PLUMEGO_ERR_AUTH_FORBIDDEN, TIMEOUT); the registry schema uses the same pattern. */
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
/** A constant whose name says it holds error codes or error rows (SECURITY_ERRORS, ERROR_TYPES, RESILIENCE_ERROR_CODES). */
const ERROR_TABLE = /ERROR/;

/*
 * A syntactic scan (the positions that emit a code are syntactic; the checker, when given, only
 * resolves which constructor parameter an argument fills):
 *   - wire: `{ code: 'X' }`, `.code('X')` (the error builder), and string values and keys of a
 *     constant named like an error table (`SECURITY_ERRORS = { X: … }`, `ERROR_TYPES = { t: row('…',
 *     'X', 400) }`, `RESILIENCE_ERROR_CODES = { a: 'X' }`);
 *   - typed: `readonly code = 'X'` (class field) and an argument of `new SomethingError(…, 'X', …)`.
 * Every other UPPER_SNAKE string literal or key is recorded as a mention, which is enough to call a
 * registered code "used" but not to demand its registration.
 */
export function scanErrorCodes(file: string, text: string): CodeSite[] {
  return scanSourceFile(file, ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));
}

/**
 * Same scan over an already parsed file (the API analysis has parsed every file an entry reaches).
 * With the program's checker, an argument of `new …Error(…)` counts only where the constructor's
 * parameter is named like a code (`new ConfigError('APP_PORT', …)` names a variable, not a code).
 */
export function scanSourceFile(file: string, sf: ts.SourceFile, checker?: ts.TypeChecker): CodeSite[] {
  const sites: CodeSite[] = [];
  const add = (node: ts.Node, code: string, surface: CodeSurface | undefined): void => {
    if (!CODE.test(code) || code.length < 3) return;
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    sites.push({
      code,
      file,
      line: line + 1,
      column: character + 1,
      emitted: surface !== undefined,
      ...(surface ? { surface } : {}),
    });
  };
  const visit = (node: ts.Node, inTable: boolean): void => {
    if (ts.isStringLiteralLike(node)) add(node, node.text, inTable ? 'wire' : getSurface(node, checker));
    else if (inTable && ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)))
      add(node.name, node.name.text, 'wire');
    const table =
      inTable || (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && ERROR_TABLE.test(node.name.text));
    ts.forEachChild(node, (child) => visit(child, table));
  };
  visit(sf, false);
  return sites;
}

function getSurface(literal: ts.Node, checker: ts.TypeChecker | undefined): CodeSurface | undefined {
  const parent = literal.parent;
  if (!parent) return undefined;
  // { code: 'X' } (an APIError init) and class fields `code = 'X'`
  if (ts.isPropertyAssignment(parent) && parent.initializer === literal && propertyName(parent.name) === 'code')
    return 'wire';
  if (ts.isPropertyDeclaration(parent) && parent.initializer === literal && propertyName(parent.name) === 'code')
    return 'typed';
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    const callee = parent.expression;
    // builder.code('X')
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'code') return 'wire';
    // new FooError('X', …) and new CoreError(operation, 'X', …)
    if (ts.isNewExpression(parent) && ts.isIdentifier(callee) && callee.text.endsWith('Error'))
      return isCodeParameter(parent, literal, checker) ? 'typed' : undefined;
  }
  return undefined;
}

/** Without a checker (or an unresolved constructor) any UPPER_SNAKE argument counts: it is never prose. */
function isCodeParameter(call: ts.NewExpression, arg: ts.Node, checker: ts.TypeChecker | undefined): boolean {
  const declaration = checker?.getResolvedSignature(call)?.getDeclaration();
  if (!declaration || !('parameters' in declaration)) return true;
  const index = call.arguments?.indexOf(arg as ts.Expression) ?? -1;
  const params = declaration.parameters;
  const param = params[Math.min(index, params.length - 1)];
  return param !== undefined && ts.isIdentifier(param.name) && /code/i.test(param.name.text);
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}
