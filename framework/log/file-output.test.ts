import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, LoggerOptionsError } from './create-logger.ts';
import { createFileOutput, FileOutput } from './file-output.ts';
import { flushLogSinks } from './sink.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const tmp = (name: string) => join(dir, `${seq++}-${name}`);

describe('createFileOutput', () => {
  it('appends each chunk to the file synchronously, byte for byte', () => {
    const path = tmp('a.log');
    writeFileSync(path, 'existing\n');
    const out = createFileOutput(path);
    expect(out.write('one\n')).toBe(true);
    expect(out.write('caf\u00e9 \u4e2d\n')).toBe(true);
    expect(out.write('')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('existing\none\ncaf\u00e9 \u4e2d\n');
    out.close();
    expect(out.fd).toBe(-1);
  });

  it('drops and reports writes after close without throwing', () => {
    const path = tmp('closed.log');
    const errors: Error[] = [];
    const out = createFileOutput(path, { onError: (e) => errors.push(e) });
    out.close();
    out.close();
    expect(out.write('late\n')).toBe(false);
    expect(out.droppedBytes).toBe(5);
    expect(errors).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('reports an error from the descriptor and keeps going', () => {
    const path = tmp('readonly.log');
    writeFileSync(path, '');
    const fd = openSync(path, 'r');
    const errors: Error[] = [];
    const out = createFileOutput(fd, { onError: (e) => errors.push(e) });
    expect(out.write('x\n')).toBe(false);
    expect(out.write('yz\n')).toBe(false);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['EBADF', 'EBADF']);
    expect(out.droppedBytes).toBe(5);
    out.close(); // a descriptor it did not open stays open
    expect(() => closeSync(fd)).not.toThrow();
  });

  it('survives an onError hook that throws', () => {
    const out = createFileOutput(tmp('x.log'), {
      onError: () => {
        throw new Error('hook');
      },
    });
    out.close();
    expect(out.write('a')).toBe(false);
  });

  it.each([
    { title: 'a negative descriptor', make: () => createFileOutput(-1) },
    { title: 'a fractional descriptor', make: () => new FileOutput(1.5, false) },
    { title: 'an empty path', make: () => createFileOutput('') },
    { title: 'a negative maxBlockMs', make: () => createFileOutput(1, { maxBlockMs: -1 }) },
    { title: 'a non-function onError', make: () => createFileOutput(1, { onError: 'x' as never }) },
  ])('rejects $title at construction', ({ make }) => {
    expect(make).toThrow(LoggerOptionsError);
  });

  it('fails at construction, not on a write, when the path cannot be opened', () => {
    expect(() => createFileOutput(join(dir, 'missing-dir', 'x.log'))).toThrow(/ENOENT/);
  });
});

describe('FileOutput on a full pipe (back-pressure)', () => {
  function makeFifo(): string {
    const path = tmp('fifo');
    execFileSync('mkfifo', [path]);
    return path;
  }

  it('truncates and reports a chunk the reader never takes once maxBlockMs has passed', () => {
    const fifo = makeFifo();
    // Read-write and non-blocking: nobody reads, so the pipe fills and write(2) says EAGAIN.
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const errors: Error[] = [];
    const out = createFileOutput(fd, { maxBlockMs: 0, onError: (e) => errors.push(e) });
    const chunk = 'x'.repeat(1 << 20);
    expect(out.write(chunk)).toBe(false);
    expect(out.droppedBytes).toBeGreaterThan(0);
    expect(out.droppedBytes).toBeLessThan(chunk.length);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['EAGAIN']);
    // Still usable: the next write is attempted (and also dropped while the pipe stays full).
    expect(out.write('more')).toBe(false);
    expect(out.droppedBytes).toBeGreaterThan(0);
    closeSync(fd);
  });

  it('waits for a slow reader and delivers every byte in order', async () => {
    const fifo = makeFifo();
    const target = tmp('drained.log');
    // Non-blocking, so a full pipe answers EAGAIN and the output has to wait for the reader.
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const reader = spawn('sh', ['-c', `exec cat "${fifo}" > "${target}"`], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => reader.once('exit', r));
    const out = createFileOutput(fd, { maxBlockMs: 60_000 });
    const lines = Array.from({ length: 4000 }, (_, i) => `line ${i} ${'p'.repeat(200)}\n`);
    const chunk = lines.join('');
    expect(out.write(chunk)).toBe(true); // ~800 KiB through a 64 KiB pipe
    expect(out.droppedBytes).toBe(0);
    closeSync(fd);
    expect(await exited).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(chunk);
  });
});

describe('a logger over a file output', () => {
  it('writes a line larger than the batch threshold at once, after the lines pending before it', () => {
    const path = tmp('big.log');
    const logger = createLogger({ output: createFileOutput(path), flushIntervalMs: 60_000, now: () => new Date(0) });
    logger.info('small');
    expect(readFileSync(path, 'utf8')).toBe('');
    const big = 'b'.repeat(40_000);
    logger.info('big', { big });
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['msg'])).toEqual(['small', 'big']);
    expect(lines[1]!['big']).toBe(big);
  });

  it('writes pending lines when flushLogSinks runs (what App.shutdown calls)', () => {
    const path = tmp('flush.log');
    const logger = createLogger({ output: createFileOutput(path), flushIntervalMs: 60_000 });
    logger.info('pending');
    logger.error('also pending');
    expect(readFileSync(path, 'utf8')).toBe('');
    flushLogSinks();
    expect(
      readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).msg),
    ).toEqual(['pending', 'also pending']);
  });

  it('loses no line when the process exits right after logging', async () => {
    const path = tmp('exit.log');
    const script = `
      import { createFileOutput, createLogger } from 'plumego/log';
      const logger = createLogger({ output: createFileOutput(${JSON.stringify(path)}), flushIntervalMs: 60_000 });
      for (let i = 0; i < 1000; i++) logger.info('line', { i });
      process.exit(0);
    `;
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).i as number);
    expect(lines).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  }, 30_000);
});

describe('file output descriptors', () => {
  it("closes a descriptor it opened, reports a failing close, and leaves a caller's descriptor open", () => {
    const path = tmp('owned.log');
    const owned = createFileOutput(path);
    const fd = owned.fd;
    owned.close();
    expect(() => fstatSync(fd)).toThrow();
    owned.close();

    const errors: Error[] = [];
    const broken = createFileOutput(tmp('broken.log'), { onError: (e) => errors.push(e) });
    closeSync(broken.fd);
    broken.close();
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['EBADF']);

    const callerFd = openSync(tmp('caller.log'), 'a');
    const borrowed = createFileOutput(callerFd);
    expect(borrowed.fd).toBe(callerFd);
    expect(borrowed.write('x\n')).toBe(true);
    borrowed.close();
    expect(borrowed.fd).toBe(-1);
    expect(fstatSync(callerFd).size).toBe(2);
    closeSync(callerFd);
  });

  it('accepts descriptor 0 and refuses negative or fractional ones', () => {
    expect(new FileOutput(0, false).fd).toBe(0);
    expect(() => new FileOutput(-1, false)).toThrow(LoggerOptionsError);
    expect(() => new FileOutput(1.5, false)).toThrow(LoggerOptionsError);
    expect(() => createFileOutput('')).toThrow(LoggerOptionsError);
  });
});
