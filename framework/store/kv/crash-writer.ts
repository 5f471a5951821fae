// Child process for the crash test: writes keys forever and acknowledges each resolved `set` on
// stdout, until the parent kills it with SIGKILL somewhere inside a write.
import { SqliteKvStore } from './sqlite-kv-store.ts';
import { getCrashValue } from './crash-value.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: crash-writer <db-path>');
const store = new SqliteKvStore({ path });
for (let i = 0; ; i++) {
  await store.set(`key-${i}`, getCrashValue(i));
  // On Linux, stdout to a pipe is synchronous: when the parent reads `i`, set(i) had resolved.
  process.stdout.write(`${i}\n`);
}
