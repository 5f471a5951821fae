import { describe, expect, it } from 'vitest';
import { createMockProvider } from 'plumego/x/ai/provider';
import { createRedactor, withRedaction } from './redact.ts';
import { DEFAULT_REDACTION_RULES } from './rules.ts';

// A labelled set: each positive names the rule that must fire; each negative must come out unchanged.
// Fake credentials only (right shape, no real account).
const positives: { title: string; input: string; rule: string }[] = [
  { title: 'an Anthropic key', input: 'key=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345', rule: 'anthropic_key' },
  { title: 'an OpenAI project key', input: 'use sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123 now', rule: 'openai_key' },
  { title: 'a classic OpenAI key', input: 'sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd', rule: 'openai_key' },
  { title: 'an AWS access key id', input: 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE', rule: 'aws_access_key' },
  { title: 'a GitHub token', input: 'token ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', rule: 'github_token' },
  { title: 'a Slack token', input: 'xoxb-1234567890-abcdefghij', rule: 'slack_token' },
  {
    title: 'a JWT',
    input: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    rule: 'jwt',
  },
  { title: 'a bearer header', input: 'Authorization: Bearer abcdefghijklmnop1234', rule: 'bearer_token' },
  { title: 'credentials in a URL', input: 'postgres://admin:hunter2@db.internal:5432/app', rule: 'url_credentials' },
  {
    title: 'a PEM private key',
    input: '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
    rule: 'private_key',
  },
  { title: 'an email address', input: 'write to jane.doe+ai@example.co.uk please', rule: 'email' },
  { title: 'a Visa test card', input: 'card 4111 1111 1111 1111 exp 12/29', rule: 'credit_card' },
  { title: 'a card without spaces', input: '5500005555555559', rule: 'credit_card' },
  { title: 'a US SSN', input: 'ssn 123-45-6789', rule: 'us_ssn' },
  { title: 'an IBAN', input: 'IBAN DE89 3704 0044 0532 0130 00', rule: 'iban' },
  { title: 'an international phone number', input: 'call +44 20 7946 0958 today', rule: 'phone' },
  { title: 'an IPv4 address', input: 'server at 192.168.10.42 is down', rule: 'ipv4' },
];

const negatives: { title: string; input: string }[] = [
  { title: 'plain prose', input: 'The quick brown fox jumps over the lazy dog.' },
  { title: 'a number that fails the Luhn check', input: 'order 4111 1111 1111 1112 shipped' },
  { title: 'a version number', input: 'upgrade to 1.17.0 or 10.2.3.4.5' },
  { title: 'an out-of-range dotted quad', input: 'value 300.1.1.1 is not an address' },
  { title: 'a date', input: 'meeting on 2026-12-06 at 10:30' },
  { title: 'a short sk- identifier', input: 'the sk-learn package' },
  { title: 'a URL without credentials', input: 'see https://example.com/docs?a=1' },
  { title: 'an SSN-shaped invalid number', input: 'ticket 000-12-3456' },
  { title: 'a short local number', input: 'room 12 34' },
  { title: 'code with an at sign', input: 'use @decorator and a@b' },
];

describe('redaction on a labelled set', () => {
  const redactor = createRedactor();

  it.each(positives)('redacts $title', ({ input, rule }) => {
    const result = redactor.redact(input);
    expect(result.findings[rule], JSON.stringify(result)).toBeGreaterThanOrEqual(1);
    expect(result.text).toContain(`[REDACTED:${rule}]`);
  });

  it.each(negatives)('leaves $title alone', ({ input }) => {
    expect(redactor.redact(input)).toEqual({ text: input, findings: {} });
  });

  it('measures precision and recall on the set (reported in the README)', () => {
    let tp = 0;
    let fp = 0;
    for (const p of positives) {
      const f = redactor.redact(p.input).findings;
      if (f[p.rule]) tp += 1;
      fp += Object.keys(f).filter((k) => k !== p.rule).length;
    }
    for (const n of negatives) fp += Object.keys(redactor.redact(n.input).findings).length;
    const precision = tp / (tp + fp);
    const recall = tp / positives.length;
    expect({ precision, recall }).toEqual({ precision: 1, recall: 1 });
  });

  it('never reports the matched text in findings', () => {
    const result = redactor.redact('mail a@example.com and sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345');
    expect(JSON.stringify(result.findings)).not.toMatch(/example|sk-ant/);
    expect(result.findings).toEqual({ anthropic_key: 1, email: 1 });
  });

  it('honours disabled rules and a custom replacement', () => {
    const r = createRedactor({ disable: ['ipv4'], replacement: '***' });
    expect(r.redact('host 10.0.0.1 mail x@y.io').text).toBe('host 10.0.0.1 mail ***');
  });

  it('redacts message contents and tool-call arguments', () => {
    const { messages, findings } = redactor.redactMessages([
      { role: 'user', content: 'my email is a@b.com' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'send', arguments: { to: 'c@d.org' } }] },
      { role: 'tool', toolCallId: 'c', content: 'sent to c@d.org' },
    ]);
    expect(messages[0]).toEqual({ role: 'user', content: 'my email is [REDACTED:email]' });
    expect(messages[1]).toMatchObject({ toolCalls: [{ arguments: { to: '[REDACTED:email]' } }] });
    expect(findings).toEqual({ email: 3 });
  });

  it.each([
    {
      title: 'a non-global pattern',
      options: { rules: [{ name: 'x', kind: 'pii' as const, pattern: /x/ }] },
      pattern: /global/,
    },
    {
      title: 'duplicate names',
      options: { rules: [DEFAULT_REDACTION_RULES[0]!, DEFAULT_REDACTION_RULES[0]!] },
      pattern: /unique/,
    },
    { title: 'an unknown rule to disable', options: { disable: ['nope'] }, pattern: /unknown/ },
  ])('rejects $title when built', ({ options, pattern }) => {
    expect(() => createRedactor(options)).toThrow(pattern);
  });
});

describe('withRedaction', () => {
  it('sends only redacted text to the provider and reports counts', async () => {
    const inner = createMockProvider({ replies: [{ text: 'ok' }] });
    const seen: Record<string, number>[] = [];
    const provider = withRedaction(inner, createRedactor(), (f) => seen.push(f));
    await provider.complete({
      model: 'm',
      messages: [{ role: 'user', content: 'my key is sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345' }],
    });
    for await (const _ of provider.stream({
      model: 'm',
      messages: [{ role: 'user', content: 'card 4111111111111111' }],
    }))
      void _;
    expect(inner.requests.map((r) => r.messages[0]!.content)).toEqual([
      'my key is [REDACTED:anthropic_key]',
      'card [REDACTED:credit_card]',
    ]);
    expect(seen).toEqual([{ anthropic_key: 1 }, { credit_card: 1 }]);
  });
});
