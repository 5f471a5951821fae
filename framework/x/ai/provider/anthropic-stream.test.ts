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

describe('AnthropicStreamDecoder framing events', () => {
  const start = frame(
    'message_start',
    '{"type":"message_start","message":{"id":"m1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}',
  );
  const ended = (...reads: string[]): StreamEvent[] => {
    const decoder = new AnthropicStreamDecoder('anthropic', 'm', undefined, openCallScope(undefined, 0, 0));
    const out: StreamEvent[] = [];
    for (const r of reads) decoder.push(new TextEncoder().encode(r), out);
    decoder.end(out);
    return out;
  };

  it.each([
    ['the exact shape', '{"type":"content_block_stop","index":0}', '{"type":"message_stop"}'],
    ['spacing', '{"type": "content_block_stop", "index": 10}', '{ "type": "message_stop" }'],
    ['extra fields', '{"type":"content_block_stop","index":1,"x":2}', '{"type":"message_stop","x":{}}'],
  ])('ends a stream whose stop events have %s', (_, blockStop, messageStop) => {
    const out = ended(start, delta('"hi"'), frame('content_block_stop', blockStop), frame('message_stop', messageStop));
    expect(out.at(-1)).toMatchObject({ type: 'done', response: { id: 'm1', text: 'hi' } });
  });

  it.each([
    ['a block stop cut short', '{"type":"content_block_stop","index":0'],
    ['a block stop without an index', '{"type":"content_block_stop","index":}'],
    ['a message stop cut short', '{"type":"message_stop"'],
  ])('rejects %s as JSON.parse would (no shortcut around it)', (_, data) => {
    const event = data.includes('message_stop') ? 'message_stop' : 'content_block_stop';
    expect(() => ended(start, frame(event, data))).toThrow(SyntaxError);
  });

  it('is not complete without message_stop, even after every other framing event', () => {
    expect(() =>
      ended(start, delta('"hi"'), frame('content_block_stop', '{"type":"content_block_stop","index":0}')),
    ).toThrow(expect.objectContaining({ code: 'AI_PROVIDER_BAD_RESPONSE' }));
  });
});
