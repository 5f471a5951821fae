/**
 * Reads the fenced code blocks of a guide and says what the guides test must do with each, so no
 * block can go untested by accident. The info string carries the instructions:
 *
 *   ```ts                     typechecked against the package's subpaths, then run
 *   ```text output            the stdout of the block just above (ts: equal; sh: every line appears)
 *   ```sh                     run in the guide's sandbox repository; `npx plumego` is this checkout's CLI
 *   ```sh exit=1              ... and must exit with 1
 *   ```yaml schema=<name>     validated against specs/schemas/<name>.schema.json
 *   ```<any> no-test="why"    deliberately not run; the reason is required and shown in the test title
 *   ```ts no-run="why"        typechecked only (e.g. it listens on a port forever)
 */
export type BlockAction =
  | { readonly kind: 'ts'; readonly run: boolean }
  | { readonly kind: 'sh'; readonly exit: number }
  | { readonly kind: 'yaml'; readonly schema: string }
  | { readonly kind: 'output' }
  | { readonly kind: 'skip'; readonly reason: string };

export interface GuideBlock {
  readonly lang: string;
  readonly meta: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly action: BlockAction;
}

export class GuideBlockError extends Error {
  override readonly name = 'GuideBlockError';
}

const attr = (meta: string, name: string): string | undefined =>
  new RegExp(`(?:^|\\s)${name}=(?:"([^"]*)"|(\\S+))`)
    .exec(meta)
    ?.slice(1)
    .find((v) => v !== undefined);

/** The action for one block; throws when a block has no way to be checked and no reason not to be. */
export function classifyBlock(lang: string, meta: string, where: string): BlockAction {
  const skip = attr(meta, 'no-test');
  if (skip !== undefined) {
    if (!skip.trim()) throw new GuideBlockError(`${where}: no-test needs a reason (no-test="why")`);
    return { kind: 'skip', reason: skip };
  }
  if (lang === 'text' && /(?:^|\s)output(?:\s|$)/.test(meta)) return { kind: 'output' };
  if (lang === 'ts' || lang === 'typescript') {
    const noRun = attr(meta, 'no-run');
    if (noRun !== undefined && !noRun.trim())
      throw new GuideBlockError(`${where}: no-run needs a reason (no-run="why")`);
    return { kind: 'ts', run: noRun === undefined };
  }
  if (lang === 'sh' || lang === 'bash' || lang === 'shell') {
    const exit = attr(meta, 'exit');
    if (exit !== undefined && !/^\d+$/.test(exit)) throw new GuideBlockError(`${where}: exit= must be a number`);
    return { kind: 'sh', exit: exit === undefined ? 0 : Number(exit) };
  }
  if (lang === 'yaml' || lang === 'yml') {
    const schema = attr(meta, 'schema');
    if (!schema)
      throw new GuideBlockError(
        `${where}: a yaml block names its schema (schema=module-manifest) or says no-test="why"`,
      );
    return { kind: 'yaml', schema };
  }
  throw new GuideBlockError(
    `${where}: a \`${lang || 'plain'}\` block cannot be checked; use ts, sh, yaml or text output, or mark it no-test="why"`,
  );
}

/** Every fenced block of a Markdown/MDX source, in order. */
export function extractBlocks(source: string, file: string): GuideBlock[] {
  const blocks: GuideBlock[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang = '', meta = ''] = open;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !lines[i]!.trimStart().startsWith(fence!); i += 1)
      body.push(lines[i]!.slice(indent!.length));
    if (i >= lines.length) throw new GuideBlockError(`${file}:${start + 1}: unclosed code fence`);
    blocks.push({
      lang,
      meta: meta.trim(),
      code: `${body.join('\n')}\n`,
      line: start + 1,
      action: classifyBlock(lang, meta.trim(), `${file}:${start + 1}`),
    });
  }
  for (const [i, b] of blocks.entries()) {
    const before = blocks[i - 1]?.action.kind;
    if (b.action.kind === 'output' && before !== 'ts' && before !== 'sh')
      throw new GuideBlockError(`${file}:${b.line}: an output block must follow a ts or sh block`);
  }
  return blocks;
}

/** The output block that follows block `i`, if any. */
export function outputOf(blocks: readonly GuideBlock[], i: number): string | undefined {
  const next = blocks[i + 1];
  return next?.action.kind === 'output' ? next.code : undefined;
}
