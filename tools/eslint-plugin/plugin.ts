/**
 * The ESLint plugin: one rule, `plumego/boundaries`, that runs the boundary gate's rulebook on the
 * file being edited, so a forbidden import is underlined where `plumego check` would report it.
 * The rules come from the repository's specs/ and module.yaml files, read through the control
 * plane's loader once per lint process and repository; there is no configuration of its own.
 */
import { dirname, resolve } from 'node:path';
import type { AST, ESLint, Linter, Rule } from 'eslint';
import type { Violation } from '../control-plane/index.ts';
import { findRepositoryRoot, loadSession, type Session, type SetupProblem } from './session.ts';

const sessions = new Map<string, Session>();
const loading = new Map<string, Promise<Session>>();
const rootByDir = new Map<string, string | undefined>();

/**
 * Loads (once) the control plane of the repository at `root`. The plugin loads the repository
 * around the working directory when it is imported; call this for any other repository you lint
 * in the same process (an ESLint rule cannot wait for files to be read).
 */
export function load(rootDir: string): Promise<Session> {
  const root = resolve(rootDir);
  let pending = loading.get(root);
  if (!pending) {
    pending = loadSession(root).then((session) => {
      sessions.set(root, session);
      return session;
    });
    loading.set(root, pending);
  }
  return pending;
}

/** Forgets every loaded repository (tests, and editors after specs change: restart the ESLint server otherwise). */
export function reset(): void {
  sessions.clear();
  loading.clear();
  rootByDir.clear();
}

function rootOf(file: string): string | undefined {
  const dir = dirname(file);
  if (!rootByDir.has(dir)) rootByDir.set(dir, findRepositoryRoot(dir));
  return rootByDir.get(dir);
}

const isProblem = (r: readonly Violation[] | SetupProblem): r is SetupProblem => !Array.isArray(r);

function describeProblem(p: SetupProblem): string {
  // Loader messages usually start with their own file:line:col.
  return p.message.startsWith(`${p.file}:`) ? p.message : `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

/** The quoted specifier at a 1-based position, for the underline; a point when there is none. */
function locate(
  lines: readonly string[],
  line: number,
  column: number,
): AST.SourceLocation | { line: number; column: number } {
  if (line < 1 || line > lines.length) return { line: 1, column: 0 };
  const start = Math.max(0, column - 1);
  const text = lines[line - 1]!;
  const quote = text[start];
  const end = quote === "'" || quote === '"' || quote === '`' ? text.indexOf(quote, start + 1) : -1;
  return end > start ? { start: { line, column: start }, end: { line, column: end + 1 } } : { line, column: start };
}

const boundaries: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Imports follow the module boundaries in specs/ and each module.yaml (the rules of plumego check)',
    },
    schema: [],
    messages: {
      violation: '{{rule}}: {{message}}{{fix}}',
      setup: 'plumego: {{message}}',
    },
  },
  create(context) {
    return {
      Program() {
        const file = context.filename;
        const root = rootOf(file);
        if (!root) return;
        const session = sessions.get(root);
        if (!session) {
          void load(root);
          context.report({
            loc: { line: 1, column: 0 },
            messageId: 'setup',
            data: {
              message: `the control plane of ${root} was not loaded before linting started, so this file was not checked; lint again, or await load('${root}') from the plumego plugin in eslint.config.js`,
            },
          });
          return;
        }
        const result = session.judge(file, context.sourceCode.text);
        if (isProblem(result)) {
          context.report({
            loc: { line: 1, column: 0 },
            messageId: 'setup',
            data: { message: describeProblem(result) },
          });
          return;
        }
        for (const v of result) {
          context.report({
            loc: locate(context.sourceCode.lines, v.line, v.column),
            messageId: 'violation',
            data: { rule: v.rule, message: v.message, fix: v.fix ? ` Fix: ${v.fix}` : '' },
          });
        }
      },
    };
  },
};

const plugin = {
  meta: { name: 'plumego' },
  rules: { boundaries },
  configs: {} as Record<'recommended', Linter.Config>,
} satisfies ESLint.Plugin;

plugin.configs.recommended = {
  name: 'plumego/recommended',
  files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
  plugins: { plumego: plugin },
  rules: { 'plumego/boundaries': 'error' },
};

// The repository around the working directory is the one an editor or `npx eslint` lints.
const cwdRoot = findRepositoryRoot(process.cwd());
if (cwdRoot) await load(cwdRoot);

export default plugin;
