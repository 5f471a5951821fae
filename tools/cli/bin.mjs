#!/usr/bin/env node
// The only JavaScript entry: it loads the CLI (bundled on first use, see launcher.mjs) and hands
// argv to main(). All logic lives in main.ts and the command files.
import { loadCli } from './launcher.mjs';

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
