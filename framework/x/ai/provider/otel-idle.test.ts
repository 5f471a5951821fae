import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic.ts';
import { startFakeAnthropic, type FakeVendor } from './__tests__/fake-vendors.ts';
import { tracingIdle } from './otel-idle.ts';
import type { StreamEvent } from './types.ts';

let fake: FakeVendor;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());
afterEach(() => {
  trace.disable();
  propagation.disable();
});

async function streamText(provider: AnthropicProvider): Promise<string> {
  let text = '';
  for await (const e of provider.stream({
    model: 'ok',
    messages: [{ role: 'user', content: 'Hi' }],
  }) as AsyncIterable<StreamEvent>)
    if (e.type === 'text') text += e.text;
  return text;
}

describe('the Anthropic adapter and OpenTelemetry', () => {
  it('counts tracing as idle only while neither a tracer provider nor a propagator is registered', () => {
    expect(tracingIdle()).toBe(true);
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    expect(tracingIdle()).toBe(false);
    trace.disable();
    expect(tracingIdle()).toBe(true);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    expect(tracingIdle()).toBe(false);
  });

  it('records the SDK call span of a stream and a completion once a tracer provider is registered after the provider was built', async () => {
    const provider = new AnthropicProvider({ apiKey: 'k', baseURL: fake.url, timeoutMs: 10_000 });
    // Built and used before any registration: the untraced path, which must send the same request.
    const before = await streamText(provider);
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    expect(await streamText(provider)).toBe(before);
    await provider.complete({ model: 'ok', messages: [{ role: 'user', content: 'Hi' }] });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['anthropic.messages.create', 'anthropic.messages.create']);
    expect(spans[0]!.attributes['gen_ai.provider.name']).toBe('anthropic');
    const [untraced, traced] = fake.requests.slice(-3, -1);
    expect(untraced!.body).toEqual(traced!.body);
    expect(Object.keys(untraced!.headers).sort()).toEqual(Object.keys(traced!.headers).sort());
  });
});
