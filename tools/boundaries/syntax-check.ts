/**
 * Syntax errors of many files, checked on a worker thread while dependency-cruiser cruises on the
 * main thread: the second parse then costs CPU on a spare core instead of wall-clock time. Small
 * sets (incremental runs) are parsed in-thread, where TypeScript is already loaded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { getParseProblem, type ParseProblem } from './source-positions.ts';

/** Below this many files a worker's start-up (loading TypeScript again) costs more than it saves. */
const WORKER_MIN_FILES = 200;

// CommonJS on purpose: an eval'd worker needs no loader for TypeScript sources. Same logic as getParseProblem.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const ts = require(workerData.typescript);
const out = [];
for (const file of workerData.files) {
  let text;
  try { text = readFileSync(workerData.root + '/' + file, 'utf8'); } catch { out.push([file, { line: 0, column: 0, message: 'file could not be read' }]); continue; }
  const source = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const first = (source.parseDiagnostics || [])[0];
  if (!first) continue;
  const at = source.getLineAndCharacterOfPosition(first.start);
  out.push([file, { line: at.line + 1, column: at.character + 1, message: ts.flattenDiagnosticMessageText(first.messageText, ' ') }]);
}
parentPort.postMessage(out);
`;

export type SyntaxProblems = ReadonlyMap<string, ParseProblem>;

/** Starts checking; await the result after the cruise. */
export function startSyntaxCheck(root: string, files: readonly string[]): () => Promise<SyntaxProblems> {
  // With one core a worker only adds its own TypeScript load to the same queue.
  if (files.length < WORKER_MIN_FILES || availableParallelism() < 2) return () => checkInThread(root, files);
  const typescript = createRequire(import.meta.url).resolve('typescript');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { root, files, typescript } });
  const result = new Promise<SyntaxProblems>((resolve, reject) => {
    worker.once('message', (entries: [string, ParseProblem][]) => resolve(new Map(entries)));
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`syntax-check worker exited with code ${code}`)); });
  });
  // A worker failure must not hide the graph: fall back to parsing in-thread.
  return () => result.catch(() => checkInThread(root, files));
}

async function checkInThread(root: string, files: readonly string[]): Promise<SyntaxProblems> {
  const { default: ts } = await import('typescript');
  const problems = new Map<string, ParseProblem>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(`${root}/${file}`, 'utf8');
    } catch {
      problems.set(file, { line: 0, column: 0, message: 'file could not be read' });
      continue;
    }
    const problem = getParseProblem(ts, file, text);
    if (problem) problems.set(file, problem);
  }
  return problems;
}
