#!/usr/bin/env node
// The only JavaScript entry: it lets Node 20 run the TypeScript sources through tsx, then hands
// argv to main(). All logic lives in main.ts and the command files.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
