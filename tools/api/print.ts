import { Node, ts, type ClassDeclaration, type Type } from 'ts-morph';
import { compareText, type ApiKind } from './model.ts';

/** A printed declaration: its kind, header line and sorted member lines. */
export interface PrintedDeclaration {
  readonly kind: ApiKind;
  readonly lines: readonly string[];
  /** Inferred types the checker could not resolve (each makes the export unprintable). */
  readonly unprintable: readonly string[];
}

export interface PrintContext {
  readonly checker: ts.TypeChecker;
  /** Absolute repository root, stripped from any `import("…")` the checker prints. */
  readonly root: string;
}

// NoTruncation: a snapshot must hold the whole type; single quotes match the house style.
const FLAGS =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope |
  ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType;

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** Prints a syntax node without comments, on one line, independent of how the source was formatted. */
export function printNode(node: Node): string {
  return oneLine(printer.printNode(ts.EmitHint.Unspecified, node.compilerNode, node.getSourceFile().compilerNode));
}

function oneLine(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/;$/, '')
    .trim();
}

/** Prints one exported declaration. Throws only on checker failures, which the caller reports. */
export function printDeclaration(node: Node, name: string, ctx: PrintContext): PrintedDeclaration {
  const unprintable: string[] = [];
  const typeText = (type: Type, at: Node, what: string): string => {
    if (hasErrorType(type.compilerType)) unprintable.push(what);
    return sanitize(ctx.checker.typeToString(type.compilerType, at.compilerNode, FLAGS), ctx.root);
  };
  const signatureText = (decl: Node): string => {
    const signature = ctx.checker.getSignatureFromDeclaration(decl.compilerNode as ts.SignatureDeclaration);
    if (!signature) return '()';
    const declared = decl.compilerNode as ts.SignatureDeclaration;
    if (
      declared.type === undefined &&
      !ts.isConstructorDeclaration(declared) &&
      hasErrorType(signature.getReturnType())
    ) {
      unprintable.push(`the inferred return type of ${name}`);
    }
    return sanitize(ctx.checker.signatureToString(signature, decl.compilerNode, FLAGS), ctx.root);
  };

  if (Node.isFunctionDeclaration(node)) {
    const overloads = node.getOverloads();
    const decls = overloads.length > 0 ? overloads : [node];
    return { kind: 'function', lines: decls.map((d) => `function ${name}${signatureText(d)}`), unprintable };
  }
  if (Node.isVariableDeclaration(node)) {
    const kind = variableKind(node);
    const annotation = node.getTypeNode();
    const text = annotation ? printNode(annotation) : typeText(node.getType(), node, `the inferred type of ${name}`);
    return { kind, lines: [`${kind} ${name}: ${text}`], unprintable };
  }
  if (Node.isClassDeclaration(node)) {
    return { kind: 'class', lines: printClass(node, name, typeText, signatureText), unprintable };
  }
  if (Node.isInterfaceDeclaration(node)) {
    const header = `interface ${name}${typeParams(node)}${node.getExtends().length ? ` extends ${node.getExtends().map(printNode).join(', ')}` : ''}`;
    return { kind: 'interface', lines: [header, ...sortedMembers(node.getMembers().map(printNode))], unprintable };
  }
  if (Node.isTypeAliasDeclaration(node)) {
    return {
      kind: 'type',
      lines: [`type ${name}${typeParams(node)} = ${printNode(node.getTypeNodeOrThrow())}`],
      unprintable,
    };
  }
  if (Node.isEnumDeclaration(node)) {
    const members = node.getMembers().map((m) => `${m.getName()} = ${JSON.stringify(m.getValue() ?? null)}`);
    return {
      kind: 'enum',
      lines: [`${node.isConstEnum() ? 'const enum' : 'enum'} ${name}`, ...sortedMembers(members)],
      unprintable,
    };
  }
  if (Node.isModuleDeclaration(node) || Node.isSourceFile(node)) {
    // Each member of a namespace is printed as its own `ns.member` entry (see extract.ts), so adding
    // one reads as an added export rather than a changed namespace.
    return { kind: 'namespace', lines: [`namespace ${name}`], unprintable };
  }
  // `export default <expression>` and anything else the checker can type.
  return { kind: 'default', lines: [`${name}: ${typeText(node.getType(), node, `the type of ${name}`)}`], unprintable };
}

function variableKind(node: Node): ApiKind {
  const list = node.getParentIfKind(ts.SyntaxKind.VariableDeclarationList);
  const flags = list?.getFlags() ?? 0;
  return flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
}

function typeParams(node: Node & { getTypeParameters(): Node[] }): string {
  const params = node.getTypeParameters();
  return params.length ? `<${params.map(printNode).join(', ')}>` : '';
}

function sortedMembers(lines: readonly string[]): string[] {
  return lines.map((l) => `  ${l}`).sort(compareText);
}

type TypeText = (type: Type, at: Node, what: string) => string;
type SignatureText = (decl: Node) => string;

function printClass(node: ClassDeclaration, name: string, typeText: TypeText, signatureText: SignatureText): string[] {
  const base = node.getExtends();
  const impls = node.getImplements();
  const header =
    `${node.isAbstract() ? 'abstract class' : 'class'} ${name}${typeParams(node)}` +
    (base ? ` extends ${printNode(base)}` : '') +
    (impls.length ? ` implements ${impls.map(printNode).join(', ')}` : '');
  const lines: string[] = [];
  const seen = new Set<string>();
  // Public members inherited from a base class the repository declares are part of this API too
  // (often the base is not exported: App extends an internal RouteRegistrar). Lib bases such as
  // Error are left out: they do not change with this repository.
  for (let cls: ClassDeclaration | undefined = node, depth = 0; cls && depth < 8; cls = cls.getBaseClass(), depth++) {
    if (cls !== node && cls.getSourceFile().isFromExternalLibrary()) break;
    if (cls !== node && cls.getSourceFile().isDeclarationFile()) break;
    lines.push(...printMembers(cls, name, typeText, signatureText, seen));
  }
  return [header, ...sortedMembers(lines)];
}

function printMembers(
  node: ClassDeclaration,
  name: string,
  typeText: TypeText,
  signatureText: SignatureText,
  seen: Set<string>,
): string[] {
  const lines: string[] = [];
  const names: string[] = [];
  for (const member of node.getMembers()) {
    if (isPrivate(member)) continue;
    const prefix = modifiersOf(member);
    if (Node.isConstructorDeclaration(member)) {
      // The nearest declared constructor is the one callers use (a subclass's replaces its base's).
      if (!seen.has('constructor'))
        for (const d of overloadsOrSelf(member))
          lines.push(`${prefix}constructor${stripReturn(stripTypeParams(signatureText(d)))}`);
      names.push('constructor');
      // `constructor(readonly method: string)` also declares a property.
      for (const param of member.getParameters()) {
        if (!param.isParameterProperty() || param.getScope() === 'private' || seen.has(param.getName())) continue;
        const annotation = param.getTypeNode();
        const text = annotation
          ? printNode(annotation)
          : typeText(param.getType(), param, `the inferred type of ${name}.${param.getName()}`);
        names.push(param.getName());
        lines.push(`${modifiersOf(param)}${param.getName()}${param.hasQuestionToken() ? '?' : ''}: ${text}`);
      }
      continue;
    }
    if (Node.isIndexSignatureDeclaration(member)) {
      lines.push(printNode(member));
      continue;
    }
    if (!(
      Node.isMethodDeclaration(member) ||
      Node.isPropertyDeclaration(member) ||
      Node.isGetAccessorDeclaration(member) ||
      Node.isSetAccessorDeclaration(member)
    ))
      continue;
    // Static blocks and class-private (#name) members are not part of the API; overridden ones print once.
    const key = `${Node.isStaticable(member) && member.isStatic() ? 'static ' : ''}${member.getName()}`;
    if (seen.has(key)) continue;
    names.push(key);
    if (Node.isMethodDeclaration(member)) {
      for (const d of overloadsOrSelf(member)) lines.push(`${prefix}${member.getName()}${signatureText(d)}`);
    } else if (Node.isPropertyDeclaration(member)) {
      const annotation = member.getTypeNode();
      const text = annotation
        ? printNode(annotation)
        : typeText(member.getType(), member, `the inferred type of ${name}.${member.getName()}`);
      lines.push(`${prefix}${member.getName()}${member.hasQuestionToken() ? '?' : ''}: ${text}`);
    } else if (Node.isGetAccessorDeclaration(member)) {
      lines.push(`${prefix}get ${member.getName()}${signatureText(member)}`);
    } else {
      lines.push(`${prefix}set ${member.getName()}${stripReturn(signatureText(member))}`);
    }
  }
  for (const n of names) seen.add(n);
  return lines;
}

function isPrivate(member: Node): boolean {
  if (Node.isConstructorDeclaration(member) && member.getScope() === 'private') return true;
  if (Node.isScoped(member) || Node.isScopeable(member)) {
    if (member.getScope() === 'private') return true;
  }
  const nameNode = (member.compilerNode as { name?: ts.Node }).name;
  return nameNode !== undefined && ts.isPrivateIdentifier(nameNode);
}

function modifiersOf(member: Node): string {
  const words: string[] = [];
  if ((Node.isScoped(member) || Node.isScopeable(member)) && member.getScope() === 'protected') words.push('protected');
  if (Node.isStaticable(member) && member.isStatic()) words.push('static');
  if (Node.isAbstractable(member) && member.isAbstract()) words.push('abstract');
  if (Node.isReadonlyable(member) && member.isReadonly()) words.push('readonly');
  return words.map((w) => `${w} `).join('');
}

function overloadsOrSelf<T extends Node & { getOverloads(): T[] }>(node: T): T[] {
  const overloads = node.getOverloads();
  return overloads.length > 0 ? overloads : [node];
}

/** The checker repeats the class's type parameters on its constructor; they belong to the header. */
function stripTypeParams(signature: string): string {
  if (!signature.startsWith('<')) return signature;
  const open = findParamsStart(signature);
  return open === -1 ? signature : signature.slice(open);
}

function findParamsStart(signature: string): number {
  let angle = 0;
  for (let i = 0; i < signature.length; i++) {
    const c = signature[i];
    if (c === '<') angle++;
    else if (c === '>' && signature[i - 1] !== '=') angle--;
    else if (c === '(' && angle === 0) return i;
  }
  return -1;
}

function stripReturn(signature: string): string {
  // Constructors and setters have no meaningful return type; the checker prints one anyway.
  const close = findParamsEnd(signature);
  return close === -1 ? signature : signature.slice(0, close + 1);
}

/** Index of the `)` that closes the parameter list (skips type parameters and nested parens). */
function findParamsEnd(signature: string): number {
  let depth = 0;
  let angle = 0;
  for (let i = 0; i < signature.length; i++) {
    const c = signature[i];
    if (c === '<') angle++;
    else if (c === '>' && signature[i - 1] !== '=') angle--;
    else if (c === '(' && angle === 0) depth++;
    else if (c === ')' && angle === 0 && --depth === 0) return i;
  }
  return -1;
}

/** True when the checker gave up on a type (an unresolved inferred type prints as a bare `any`). */
export function hasErrorType(type: ts.Type, depth = 0): boolean {
  if (depth > 3) return false;
  if (type.flags & ts.TypeFlags.Any && (type as { intrinsicName?: string }).intrinsicName === 'error') return true;
  if (type.isUnionOrIntersection()) return type.types.some((t) => hasErrorType(t, depth + 1));
  const args = (type as ts.TypeReference).typeArguments ?? [];
  return args.some((t) => hasErrorType(t, depth + 1));
}

/** Removes the machine-specific part of any `import("/abs/path")` the checker prints. */
export function sanitize(text: string, root: string): string {
  const prefix = `${root.replaceAll('\\', '/')}/`;
  return text.replaceAll(`import("${prefix}`, 'import("');
}
