import { describe, expect, it } from 'vitest';
import { AnthropicStreamDecoder } from './anthropic-stream.ts';
import { openCallScope } from './call-scope.ts';
import { textEventJson } from './text-json.ts';
import type { StreamEvent } from './types.ts';

const frame = (event: string, data: string): string => `event: ${event}\ndata: ${data}\n\n`;
const delta = (literal: string, index = 0): string =>
  frame(
    'content_block_delta',
    `{"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":${literal}}}`,
  );

function decode(...reads: string[]): StreamEvent[] {
  const decoder = new AnthropicStreamDecoder('anthropic', 'm', undefined, openCallScope(undefined, 0, 0));
  const out: StreamEvent[] = [];
  for (const r of reads) decoder.push(new TextEncoder().encode(r), out);
  return out;
}

describe('AnthropicStreamDecoder text deltas', () => {
  it.each([
    ['plain text', '"Hello"', 'Hello'],
    ['escapes', String.raw`"a \"quoted\"\nline\\ \u00e9 \ud83c\udf0d"`, 'a "quoted"\nline\\ é 🌍'],
    ['raw non-ASCII', '"héllo 🌍"', 'héllo 🌍'],
    ['an empty text', '""', ''],
    ['text that looks like the frame end', '"}}\\"}}"', '}}"}}'],
  ])('takes %s from the API shape and keeps its literal for forwarding', (_, literal, text) => {
    const [event] = decode(delta(literal, 12));
    expect(event).toEqual({ type: 'text', text });
    expect(textEventJson(event!)).toBe(literal);
    expect(JSON.parse(textEventJson(event!)!)).toBe(text);
  });

  it.each([
    [
      'extra fields',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"},"x":{"y":"z"}}',
    ],
    ['another key order', '{"index":0,"type":"content_block_delta","delta":{"text":"hi","type":"text_delta"}}'],
    ['spacing', '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hi"}}'],
    ['a non-numeric index', '{"type":"content_block_delta","index":"0","delta":{"type":"text_delta","text":"hi"}}'],
  ])('reads a delta with %s through the full parse, with the same text', (_, data) => {
    const [event] = decode(frame('content_block_delta', data));
    expect(event).toEqual({ type: 'text', text: 'hi' });
    expect(textEventJson(event!)).toBeUndefined();
  });

  it('rejects an invalid text literal as JSON.parse would (no shortcut around it)', () => {
    expect(() => decode(delta(String.raw`"bad \x escape"`))).toThrow(SyntaxError);
    expect(() => decode(delta('"unterminated'))).toThrow(SyntaxError);
  });

  it('gives the literal out only for the unchanged event: not for a copy or a changed text', () => {
    const [event] = decode(delta('"secret 123"'));
    expect(textEventJson({ ...event! })).toBeUndefined();
    (event as { text: string }).text = 'secret [redacted]';
    expect(textEventJson(event!)).toBeUndefined();
    expect(textEventJson({ type: 'text', text: 'x' })).toBeUndefined();
  });
});
