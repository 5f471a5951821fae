import { describe, it, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFileStorageConformance } from '../conformance/file-storage-suite.ts';
import { LocalFileStorage } from './local-storage.ts';

const base = mkdtempSync(join(tmpdir(), 'plumego-file-conf-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

// The conformance suite every FileStorage runs (x/data/file runs it on S3-compatible storage too).
describeFileStorageConformance(
  { describe, it },
  { name: 'LocalFileStorage', open: () => new LocalFileStorage({ root: join(base, `root-${n++}`) }) },
);
