// Test-only: local servers that speak the Anthropic Messages and OpenAI Chat wire formats (shapes from the
// vendors' API references and the SDKs' types). The request's `model` picks the scenario.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface FakeVendor {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Sockets closed by the client while a response was still open (proves upstream aborts). */
  readonly clientAborts: number;
  close(): Promise<void>;
}

const sse = (res: ServerResponse, event: string | undefined, data: unknown): void => {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
};

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => resolve(raw ? (JSON.parse(raw) as Record<string, unknown>) : {}));
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function start(handle: (req: RecordedRequest, res: ServerResponse) => void): Promise<FakeVendor> {
  const requests: RecordedRequest[] = [];
  let clientAborts = 0;
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const recorded = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
      requests.push(recorded);
      res.on('close', () => {
        if (!res.writableFinished) clientAborts += 1;
      });
      handle(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get clientAborts() {
      return clientAborts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const anthropicError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

/** Anthropic Messages: scenarios `ok`, `tool`, `rate-limit`, `server-error`, `overloaded`, `overloaded-midstream`, `truncated`, `malformed`, `stall`, `bad-key`. */
export function startFakeAnthropic(): Promise<FakeVendor> {
  return start((req, res) => {
    if (req.url.startsWith('/v1/models')) {
      return json(res, 200, { data: [{ type: 'model', id: 'claude-test-1', display_name: 'Claude Test', created_at: '2026-01-01T00:00:00Z' }], has_more: false, first_id: 'claude-test-1', last_id: 'claude-test-1' });
    }
    if (req.url.startsWith('/v1/messages/count_tokens')) return json(res, 200, { input_tokens: 42 });
    const model = String(req.body['model']);
    const stream = req.body['stream'] === true;
    if (model === 'rate-limit') return json(res, 429, anthropicError('rate_limit_error', 'Number of requests has exceeded your rate limit'), { 'retry-after': '7' });
    if (model === 'server-error') return json(res, 500, anthropicError('api_error', 'Internal server error'));
    if (model === 'overloaded') return json(res, 529, anthropicError('overloaded_error', 'Overloaded'));
    if (model === 'bad-key') return json(res, 401, anthropicError('authentication_error', 'invalid x-api-key sk-ant-SECRET'));
    if (model === 'stall') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return sse(res, 'message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } });
    }
    const tool = model === 'tool' || req.body['tool_choice'] !== undefined && (req.body['tool_choice'] as { type: string }).type === 'tool';
    const toolName = (req.body['tool_choice'] as { name?: string } | undefined)?.name ?? 'get_weather';
    const toolInput = toolName === 'get_weather' ? { city: 'Paris' } : { answer: 'yes', confidence: 0.9 };
    if (!stream) {
      return json(res, 200, {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model,
        content: tool ? [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: 'toolu_1', name: toolName, input: toolInput }] : [{ type: 'text', text: 'Hello there!' }],
        stop_reason: tool ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 6 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    sse(res, 'message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } });
    sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    sse(res, 'ping', { type: 'ping' });
    sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: tool ? 'Let me ' : 'Hello' } });
    if (model === 'malformed') {
      res.write('event: content_block_delta\ndata: {"type":"content_block_delta",\n\n');
      return res.end();
    }
    if (model === 'overloaded-midstream') {
      sse(res, 'error', anthropicError('overloaded_error', 'Overloaded'));
      return res.end();
    }
    sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: tool ? 'check.' : ' there!' } });
    if (model === 'truncated') return res.end();
    sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
    if (tool) {
      const args = JSON.stringify(toolInput);
      sse(res, 'content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: toolName, input: {} } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: args.slice(0, 6) } });
      sse(res, 'content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: args.slice(6) } });
      sse(res, 'content_block_stop', { type: 'content_block_stop', index: 1 });
    }
    sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 6 } });
    sse(res, 'message_stop', { type: 'message_stop' });
    res.end();
  });
}

const openaiError = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });

/** OpenAI Chat Completions: scenarios `ok`, `tool`, `structured`, `rate-limit`, `server-error`, `overloaded`, `truncated`, `malformed`, `stall`, `bad-key`. */
export function startFakeOpenAI(): Promise<FakeVendor> {
  return start((req, res) => {
    if (req.url.startsWith('/v1/models')) return json(res, 200, { object: 'list', data: [{ id: 'gpt-test-1', object: 'model', created: 1_700_000_000, owned_by: 'test' }] });
    const model = String(req.body['model']);
    const stream = req.body['stream'] === true;
    if (model === 'rate-limit') return json(res, 429, openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded'), { 'retry-after': '3' });
    if (model === 'server-error') return json(res, 500, openaiError('The server had an error', 'server_error', null));
    if (model === 'overloaded') return json(res, 503, openaiError('The engine is currently overloaded', 'server_error', null));
    if (model === 'bad-key') return json(res, 401, openaiError('Incorrect API key provided: sk-SECRET***', 'invalid_request_error', 'invalid_api_key'));
    const tool = model === 'tool';
    const text = model === 'structured' ? '{"answer":"yes","confidence":0.9}' : 'Hello there!';
    const base = { id: 'chatcmpl-1', created: 1_700_000_000, model, system_fingerprint: 'fp_test' };
    if (!stream) {
      return json(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{
          index: 0,
          message: tool
            ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }
            : { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: tool ? 'tool_calls' : 'stop',
        }],
        usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      sse(res, undefined, { ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    chunk({ role: 'assistant', content: '' });
    if (model === 'stall') return;
    if (tool) {
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] });
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city"' } }] });
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':"Paris"}' } }] });
      chunk({}, 'tool_calls');
    } else {
      chunk({ content: text.slice(0, 5) });
      if (model === 'malformed') {
        res.write('data: {"id":"chatcmpl-1","choices":[{"delta":\n\n');
        return res.end();
      }
      chunk({ content: text.slice(5) });
      if (model === 'truncated') return res.end();
      chunk({}, 'stop');
    }
    sse(res, undefined, { ...base, object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 } });
    sse(res, undefined, '[DONE]');
    res.end();
  });
}
