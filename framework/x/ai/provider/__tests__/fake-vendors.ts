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

/** Bytes the `flood` scenario has written so far (it honours backpressure: a paused reader holds it back). */
export const flood = { written: 0, deltas: 400, size: 64 * 1024 };

/** `flood`: 400 text deltas of 64 KiB (25 MiB), written only as fast as the client reads, then a normal end. */
async function floodStream(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  flood.written = 0;
  const text = 'x'.repeat(flood.size);
  for (let i = 0; i < flood.deltas && !res.destroyed; i++) {
    const frame = `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`;
    flood.written += frame.length;
    if (!res.write(frame)) await new Promise((r) => res.once('drain', r));
  }
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

/** Anthropic Messages: scenarios `ok`, `tool`, `rate-limit`, `server-error`, `overloaded`, `overloaded-midstream`, `truncated`, `malformed`, `stall`, `text-then-stall`, `flood`, `one-write`, `bad-key`. */
export function startFakeAnthropic(): Promise<FakeVendor> {
  return start((req, res) => {
    if (req.body['model'] === 'flood') return void floodStream(res);
    if (req.body['model'] === 'one-write') {
      // The `ok` answer sent with a single socket write, so the client reads it at once.
      const parts: string[] = [];
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      res.write = ((chunk: string) => parts.push(chunk) > 0) as typeof res.write;
      res.end = (() => (write(parts.join('')), end())) as typeof res.end;
    }
    if (req.url.startsWith('/v1/models')) {
      return json(res, 200, {
        data: [{ type: 'model', id: 'claude-test-1', display_name: 'Claude Test', created_at: '2026-01-01T00:00:00Z' }],
        has_more: false,
        first_id: 'claude-test-1',
        last_id: 'claude-test-1',
      });
    }
    if (req.url.startsWith('/v1/messages/count_tokens')) return json(res, 200, { input_tokens: 42 });
    const model = String(req.body['model']);
    const stream = req.body['stream'] === true;
    if (model === 'rate-limit')
      return json(res, 429, anthropicError('rate_limit_error', 'Number of requests has exceeded your rate limit'), {
        'retry-after': '7',
      });
    if (model === 'server-error') return json(res, 500, anthropicError('api_error', 'Internal server error'));
    if (model === 'overloaded') return json(res, 529, anthropicError('overloaded_error', 'Overloaded'));
    if (model === 'bad-key')
      return json(res, 401, anthropicError('authentication_error', 'invalid x-api-key sk-ant-SECRET'));
    if (model === 'stall') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return sse(res, 'message_start', {
        type: 'message_start',
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        },
      });
    }
    if (model === 'text-then-stall') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      });
      return sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'Hel' },
      });
    }
    const tool =
      model === 'tool' ||
      (req.body['tool_choice'] !== undefined && (req.body['tool_choice'] as { type: string }).type === 'tool');
    const toolName = (req.body['tool_choice'] as { name?: string } | undefined)?.name ?? 'get_weather';
    const toolInput = toolName === 'get_weather' ? { city: 'Paris' } : { answer: 'yes', confidence: 0.9 };
    if (!stream) {
      return json(res, 200, {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model,
        content: tool
          ? [
              { type: 'text', text: 'Let me check.' },
              { type: 'tool_use', id: 'toolu_1', name: toolName, input: toolInput },
            ]
          : [{ type: 'text', text: 'Hello there!' }],
        stop_reason: tool ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 6 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    sse(res, 'message_start', {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 1 },
      },
    });
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    sse(res, 'ping', { type: 'ping' });
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: tool ? 'Let me ' : 'Hello' },
    });
    if (model === 'malformed') {
      res.write('event: content_block_delta\ndata: {"type":"content_block_delta",\n\n');
      return res.end();
    }
    if (model === 'overloaded-midstream') {
      sse(res, 'error', anthropicError('overloaded_error', 'Overloaded'));
      return res.end();
    }
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: tool ? 'check.' : ' there!' },
    });
    if (model === 'truncated') return res.end();
    sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
    if (tool) {
      const args = JSON.stringify(toolInput);
      sse(res, 'content_block_start', {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_1', name: toolName, input: {} },
      });
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '' },
      });
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: args.slice(0, 6) },
      });
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: args.slice(6) },
      });
      sse(res, 'content_block_stop', { type: 'content_block_stop', index: 1 });
    }
    sse(res, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: 6 },
    });
    sse(res, 'message_stop', { type: 'message_stop' });
    res.end();
  });
}

const openaiErrorBody = (message: string, type: string, code: string | null) => ({ message, type, param: null, code });
const openaiError = (message: string, type: string, code: string | null) => ({
  error: openaiErrorBody(message, type, code),
});

/** OpenAI Chat Completions (`/v1/chat/completions`) and Responses (`/v1/responses`, see `respond`): scenarios `ok`, `tool`, `structured`, `rate-limit`, `server-error`, `overloaded`, `truncated`, `malformed`, `error-chunk` (Chat), `stall`, `bad-key`. */
export function startFakeOpenAI(): Promise<FakeVendor> {
  return start((req, res) => {
    if (req.url.startsWith('/v1/models'))
      return json(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-test-1', object: 'model', created: 1_700_000_000, owned_by: 'test' }],
      });
    if (req.url.startsWith('/v1/responses')) return respond(req, res);
    const model = String(req.body['model']);
    const stream = req.body['stream'] === true;
    if (model === 'rate-limit')
      return json(res, 429, openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded'), {
        'retry-after': '3',
      });
    if (model === 'server-error') return json(res, 500, openaiError('The server had an error', 'server_error', null));
    if (model === 'overloaded')
      return json(res, 503, openaiError('The engine is currently overloaded', 'server_error', null));
    if (model === 'bad-key')
      return json(
        res,
        401,
        openaiError('Incorrect API key provided: sk-SECRET***', 'invalid_request_error', 'invalid_api_key'),
      );
    const tool = model === 'tool';
    const text = model === 'structured' ? '{"answer":"yes","confidence":0.9}' : 'Hello there!';
    const base = { id: 'chatcmpl-1', created: 1_700_000_000, model, system_fingerprint: 'fp_test' };
    if (!stream) {
      return json(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: tool
              ? {
                  role: 'assistant',
                  content: null,
                  refusal: null,
                  tool_calls: [
                    {
                      id: 'call_1',
                      type: 'function',
                      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
                    },
                  ],
                }
              : { role: 'assistant', content: text, refusal: null },
            logprobs: null,
            finish_reason: tool ? 'tool_calls' : 'stop',
          },
        ],
        usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      sse(res, undefined, {
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
    chunk({ role: 'assistant', content: '' });
    if (model === 'stall') return;
    if (tool) {
      chunk({
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }],
      });
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city"' } }] });
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':"Paris"}' } }] });
      chunk({}, 'tool_calls');
    } else {
      chunk({ content: text.slice(0, 5) });
      if (model === 'malformed') {
        res.write('data: {"id":"chatcmpl-1","choices":[{"delta":\n\n');
        return res.end();
      }
      if (model === 'error-chunk') {
        // A failure reported inside the stream, as the API does once the 200 has been sent.
        sse(res, undefined, { error: openaiErrorBody('The server had an error', 'server_error', 'server_error') });
        return res.end();
      }
      chunk({ content: text.slice(5) });
      if (model === 'truncated') return res.end();
      chunk({}, 'stop');
    }
    sse(res, undefined, {
      ...base,
      object: 'chat.completion.chunk',
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
    });
    sse(res, undefined, '[DONE]');
    res.end();
  });
}

/**
 * OpenAI Responses (`POST /v1/responses`), shapes from the SDK's `resources/responses` types. Scenarios by
 * model: `ok`, `tool`, `structured`, `rate-limit`, `server-error`, `overloaded`, `bad-key`, `stall`,
 * `truncated`, `malformed`, `error-event` (an `error` event mid-stream), `failed` (`response.failed`),
 * `incomplete` (max_output_tokens), `refusal`, `args-whole` (arguments only in `.done`), `orphan-delta`.
 */
function respond(req: RecordedRequest, res: ServerResponse): void {
  const model = String(req.body['model']);
  const stream = req.body['stream'] === true;
  if (model === 'rate-limit')
    return json(res, 429, openaiError('Rate limit reached', 'requests', 'rate_limit_exceeded'), { 'retry-after': '3' });
  if (model === 'server-error') return json(res, 500, openaiError('The server had an error', 'server_error', null));
  if (model === 'overloaded')
    return json(res, 503, openaiError('The engine is currently overloaded', 'server_error', null));
  if (model === 'bad-key')
    return json(
      res,
      401,
      openaiError('Incorrect API key provided: sk-SECRET***', 'invalid_request_error', 'invalid_api_key'),
    );
  const tool = model === 'tool' || model === 'args-whole' || model === 'orphan-delta';
  const text = model === 'structured' ? '{"answer":"yes","confidence":0.9}' : 'Hello there!';
  const usage = {
    input_tokens: 12,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 6,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 18,
  };
  const message = (content: unknown[]) => ({
    type: 'message',
    id: 'msg_1',
    status: 'completed',
    role: 'assistant',
    content,
  });
  const call = {
    type: 'function_call',
    id: 'fc_1',
    call_id: 'call_1',
    name: 'get_weather',
    arguments: '{"city":"Paris"}',
    status: 'completed',
  };
  const output = tool
    ? [message([{ type: 'output_text', text: 'Let me check.', annotations: [], logprobs: [] }]), call]
    : model === 'refusal'
      ? [message([{ type: 'refusal', refusal: 'I cannot help with that.' }])]
      : [
          message([
            { type: 'output_text', text: model === 'incomplete' ? 'Hello' : text, annotations: [], logprobs: [] },
          ]),
        ];
  const body = (status: string, out: unknown[], extra: Record<string, unknown> = {}) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 1_700_000_000,
    status,
    model,
    output: out,
    error: null,
    incomplete_details: null,
    instructions: null,
    metadata: {},
    parallel_tool_calls: true,
    temperature: 1,
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    usage: status === 'in_progress' ? null : usage,
    ...extra,
  });
  const incomplete = { incomplete_details: { reason: 'max_output_tokens' } };
  if (!stream) {
    if (model === 'incomplete') return json(res, 200, body('incomplete', output, incomplete));
    return json(res, 200, body('completed', output));
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let seq = 0;
  const emit = (type: string, data: Record<string, unknown>) =>
    sse(res, type, { type, sequence_number: seq++, ...data });
  emit('response.created', { response: body('in_progress', []) });
  emit('response.in_progress', { response: body('in_progress', []) });
  if (model === 'stall') return;
  emit('response.output_item.added', { output_index: 0, item: { ...message([]), status: 'in_progress' } });
  emit('response.content_part.added', {
    item_id: 'msg_1',
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [] },
  });
  const delta = (d: string) =>
    emit('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: d, logprobs: [] });
  if (model === 'refusal') {
    emit('response.refusal.delta', {
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'I cannot help with that.',
    });
  } else if (tool) {
    delta('Let me ');
    delta('check.');
  } else {
    delta(text.slice(0, 5));
    if (model === 'malformed') {
      res.write('event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":\n\n');
      res.end();
      return;
    }
    if (model === 'error-event') {
      emit('error', { code: 'rate_limit_exceeded', message: 'Rate limit reached for sk-SECRET', param: null });
      res.end();
      return;
    }
    if (model === 'failed') {
      emit('response.failed', {
        response: body('failed', [], { error: { code: 'server_error', message: 'The model failed' } }),
      });
      res.end();
      return;
    }
    if (model === 'incomplete') {
      emit('response.incomplete', { response: body('incomplete', output, incomplete) });
      res.end();
      return;
    }
    delta(text.slice(5));
    if (model === 'truncated') {
      res.end();
      return;
    }
  }
  const first = (output[0] as { content: { type: string; text?: string }[] }).content[0]!;
  if (first.type === 'output_text')
    emit('response.output_text.done', {
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      text: first.text,
      logprobs: [],
    });
  emit('response.content_part.done', { item_id: 'msg_1', output_index: 0, content_index: 0, part: first });
  emit('response.output_item.done', { output_index: 0, item: output[0] });
  if (tool) {
    if (model === 'orphan-delta')
      emit('response.function_call_arguments.delta', { item_id: 'fc_9', output_index: 7, delta: '{}' });
    emit('response.output_item.added', { output_index: 1, item: { ...call, arguments: '', status: 'in_progress' } });
    if (model !== 'args-whole') {
      emit('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 1, delta: '{"city"' });
      emit('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 1, delta: ':"Paris"}' });
    }
    emit('response.function_call_arguments.done', {
      item_id: 'fc_1',
      output_index: 1,
      name: 'get_weather',
      arguments: call.arguments,
    });
    emit('response.output_item.done', { output_index: 1, item: call });
  }
  emit('response.completed', { response: body('completed', output) });
  res.end();
}
