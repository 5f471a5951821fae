import { Node, ts, type ModuleDeclaration, type SourceFile } from 'ts-morph';
import { compareText, type ApiEntry, type ApiKind, type ApiProblem, type ModuleApi } from './model.ts';
import { printDeclaration, type PrintContext } from './print.ts';
import { toRepoPath, type ApiProject } from './project.ts';

export interface ApiTarget {
  readonly name: string;
  /** Repository-relative entry file (`framework/router/index.ts`). */
  readonly entry: string;
  /** True for repository-relative files that belong to this module (not to a nested module). */
  readonly owns: (file: string) => boolean;
}

export interface ExtractOptions {
  /** Print full signatures (snapshots); false extracts only the export names (entrypoints). */
  readonly print: boolean;
}

/**
 * Extracts a module's public surface from its entry: every exported name (values, types,
 * re-exports, `export *`, namespace exports) and, when asked, each one's printed signature.
 * The entry must already be in `api.project`.
 */
export function extractModuleApi(api: ApiProject, target: ApiTarget, options: ExtractOptions): ModuleApi {
  const entry = api.project.getSourceFile(`${api.root}/${target.entry}`);
  if (!entry) throw new Error(`${target.entry} is not loaded; pass it to createApiProject()`);
  const problems = findSyntaxErrors(api, target);
  const symbols = entry.getExportSymbols();
  const names = symbols.map((s) => s.getName()).sort(compareText);
  const exportLines: Record<string, number> = {};
  for (const s of symbols) {
    const local = s.getDeclarations().find((d) => d.getSourceFile() === entry);
    exportLines[s.getName()] = local ? local.getStartLineNumber() : 0;
  }
  const origins: Record<string, string> = {};
  for (const [name, decls] of entry.getExportedDeclarations()) {
    if (decls[0]) origins[name] = toRepoPath(api.root, decls[0].getSourceFile().getFilePath());
  }
  // Past a syntax error the checker's view of the module is guesswork: report the error, print nothing.
  const entries = options.print && problems.length === 0 ? printEntries(api, entry, problems) : [];
  problems.sort((a, b) => compareText(a.file, b.file) || a.line - b.line || a.column - b.column);
  return { module: target.name, entry: target.entry, names, exportLines, origins, entries, problems };
}

/** Syntax errors in the module's own files: the extracted surface cannot be trusted past one. */
function findSyntaxErrors(api: ApiProject, target: ApiTarget): ApiProblem[] {
  const program = api.project.getProgram().compilerObject;
  const problems: ApiProblem[] = [];
  for (const sf of program.getSourceFiles()) {
    const file = toRepoPath(api.root, sf.fileName);
    if (!target.owns(file)) continue;
    for (const d of program.getSyntacticDiagnostics(sf)) {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      problems.push({
        rule: 'syntax-error',
        file,
        line: line + 1,
        column: character + 1,
        message: `${file}:${line + 1}:${character + 1}: syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      });
    }
  }
  return problems;
}

function printEntries(api: ApiProject, entry: SourceFile, problems: ApiProblem[]): ApiEntry[] {
  const ctx: PrintContext = { checker: api.project.getTypeChecker().compilerObject, root: api.root };
  const declared = entry.getExportedDeclarations();
  const entries: ApiEntry[] = [];
  for (const symbol of entry.getExportSymbols()) {
    const name = symbol.getName();
    const decls = declared.get(name) ?? [];
    if (decls.length === 0) {
      const at = position(api, symbol.getDeclarations()[0] ?? entry);
      problems.push({
        rule: 'unresolved-export',
        ...at,
        name,
        message: `export '${name}' of ${entry.getBaseName()} resolves to no declaration (a broken or package re-export); its signature cannot be snapshotted`,
      });
      continue;
    }
    entries.push(...printNamed(name, decls, ctx, api, problems));
  }
  return entries.sort((a, b) => compareText(a.name, b.name));
}

function printNamed(
  name: string,
  decls: readonly Node[],
  ctx: PrintContext,
  api: ApiProject,
  problems: ApiProblem[],
  depth = 0,
): ApiEntry[] {
  const kinds = new Set<ApiKind>();
  const lines: string[] = [];
  const nested: ApiEntry[] = [];
  for (const decl of decls) {
    try {
      const printed = printDeclaration(decl, name, ctx);
      kinds.add(printed.kind);
      lines.push(...printed.lines);
      for (const what of printed.unprintable) {
        problems.push({
          rule: 'unprintable-type',
          ...position(api, decl),
          name,
          message: `cannot print ${what}: it depends on a type the API tool cannot resolve; annotate the export with an explicit type`,
        });
      }
      // Depth-limited: `export * as self from './index.ts'` would otherwise recurse forever.
      if ((Node.isSourceFile(decl) || Node.isModuleDeclaration(decl)) && depth < 3)
        nested.push(...printNamespaceMembers(name, decl, ctx, api, problems, depth + 1));
    } catch (error) {
      problems.push({
        rule: 'unprintable-type',
        ...position(api, decl),
        name,
        message: `cannot print export '${name}': ${(error as Error).message}`,
      });
    }
  }
  const first = position(api, decls[0]!);
  const entry: ApiEntry = {
    name,
    kinds: [...kinds].sort(compareText),
    lines: groupLines(lines),
    file: first.file,
    line: first.line,
  };
  return [entry, ...nested];
}

/** `export * as ns from './x.ts'` and `export namespace ns {}`: each member becomes an `ns.member` entry. */
function printNamespaceMembers(
  ns: string,
  file: SourceFile | ModuleDeclaration,
  ctx: PrintContext,
  api: ApiProject,
  problems: ApiProblem[],
  depth: number,
): ApiEntry[] {
  const out: ApiEntry[] = [];
  for (const [name, decls] of file.getExportedDeclarations()) {
    out.push(...printNamed(`${ns}.${name}`, decls, ctx, api, problems, depth));
  }
  return out;
}

/** Keeps each header with its indented members, and orders the groups deterministically. */
function groupLines(lines: readonly string[]): string[] {
  const groups: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('  ') && groups.length > 0) groups[groups.length - 1]!.push(line);
    else groups.push([line]);
  }
  // Overloads keep their declared order (it decides resolution); merged declarations are sorted.
  const seen = new Set<string>();
  return groups
    .filter((g) => {
      const key = g.join('\n');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .flat();
}

function position(api: ApiProject, node: Node): { file: string; line: number; column: number } {
  const sf = node.getSourceFile();
  const { line, column } = sf.getLineAndColumnAtPos(node.getStart());
  return { file: toRepoPath(api.root, sf.getFilePath()), line, column };
}
