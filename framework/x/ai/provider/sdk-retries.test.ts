import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic.ts';
import { isAiProviderError } from './errors.ts';
import { startFakeAnthropic, startFakeOpenAI, type FakeVendor } from './__tests__/fake-vendors.ts';
import { OpenAIProvider } from './openai.ts';
import type { Provider, StreamEvent } from './types.ts';

// With SDK retries on, the SDKs read more of each answer (the 2xx `x-should-retry` header for a resend, the error
// body before a retry): the streaming clients' nodeStreamFetch answers must hold up on both paths.
const cases: { vendor: string; start: () => Promise<FakeVendor>; create: (url: string) => Provider }[] = [
  {
    vendor: 'anthropic',
    start: startFakeAnthropic,
    create: (url) => new AnthropicProvider({ apiKey: 'k', baseURL: url, maxRetries: 1, timeoutMs: 10_000 }),
  },
  {
    vendor: 'openai',
    start: startFakeOpenAI,
    create: (url) => new OpenAIProvider({ apiKey: 'k', baseURL: `${url}/v1`, maxRetries: 1, timeoutMs: 10_000 }),
  },
];

describe.each(cases)('$vendor streaming with SDK retries on', ({ vendor, start, create }) => {
  let fake: FakeVendor;
  beforeAll(async () => {
    fake = await start();
  });
  afterAll(() => fake.close());

  it(`${vendor}: streams a 2xx answer once, without a resend`, async () => {
    const before = fake.requests.length;
    let text = '';
    let done = 0;
    for await (const e of create(fake.url).stream({
      model: 'ok',
      messages: [{ role: 'user', content: 'Hi' }],
    }) as AsyncIterable<StreamEvent>) {
      if (e.type === 'text') text += e.text;
      if (e.type === 'done') done++;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(done).toBe(1);
    expect(fake.requests.length - before).toBe(1);
  });

  it(`${vendor}: retries an overloaded answer before the stream once, then fails typed`, async () => {
    const before = fake.requests.length;
    const stream = create(fake.url).stream({ model: 'overloaded', messages: [{ role: 'user', content: 'Hi' }] });
    const error = await (async () => {
      for await (const _ of stream as AsyncIterable<StreamEvent>) void _;
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAiProviderError(error) && error.code).toBe('AI_PROVIDER_OVERLOADED');
    expect(fake.requests.length - before).toBe(2);
  });
});
