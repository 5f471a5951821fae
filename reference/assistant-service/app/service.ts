import { APIError, readJson, writeResponse, type Handler } from 'plumego/contract';
import { createApp, type App } from 'plumego/core';
import { createCanonicalStack } from 'plumego/middleware';
import {
  createAnthropicProvider,
  createOpenAIProvider,
  createProviderManager,
  type Provider,
} from 'plumego/x/ai/provider';
import { createSessionManager, SqliteSessionStorage } from 'plumego/x/ai/session';
import { SseWriter } from 'plumego/x/ai/streaming';
import { calculatorTool, createAllowListPolicy, createToolRegistry, timestampTool } from 'plumego/x/ai/tool';
import type { AssistantConfig } from '../config.ts';
import { runChatTurn } from './chat.ts';

export interface AssistantService {
  readonly app: App;
  close(): Promise<void>;
}

const SYSTEM = 'You are a concise assistant. Use the calculator for arithmetic and the timestamp tool for the date.';
const MAX_CONTENT = 8_000;

function readContent(body: unknown): string {
  const content = (body as { content?: unknown } | null)?.['content'];
  if (typeof content !== 'string' || content.trim() === '' || content.length > MAX_CONTENT) {
    throw new APIError({
      type: 'bad_request',
      code: 'ASSISTANT_INVALID_MESSAGE',
      message: `content must be a non-empty string of at most ${MAX_CONTENT} characters`,
      details: { field: 'content' },
    });
  }
  return content;
}

const notFound = () =>
  new APIError({ type: 'resource_not_found', code: 'AI_SESSION_NOT_FOUND', message: 'no such session' });

/** Builds the service; all wiring is here, top to bottom. */
export function createAssistantService(config: AssistantConfig): AssistantService {
  const providers: Provider[] = config.vendors.map((v) => {
    const options = {
      apiKey: v.apiKey,
      baseURL: v.baseURL,
      timeoutMs: config.timeoutMs,
      idleTimeoutMs: config.idleTimeoutMs,
    };
    return v.vendor === 'anthropic' ? createAnthropicProvider(options) : createOpenAIProvider(options);
  });
  const ai = createProviderManager({
    routes: providers.map((provider, i) => ({ provider, model: config.vendors[i]!.model })),
    breaker: { failureThreshold: 5, openTimeoutMs: 30_000 },
  });
  const storage = new SqliteSessionStorage({ database: config.sessionDb });
  // Over the budget, older turns become a summary written through the same provider chain (stored, so it
  // happens once per overflow). If the summary call fails the turn goes on with the older turns trimmed.
  const sessions = createSessionManager({
    storage,
    maxContextTokens: config.contextTokens,
    summary: { provider: ai, model: 'default', maxSummaryTokens: Math.max(32, Math.floor(config.contextTokens / 8)) },
  });
  const tools = createToolRegistry({ timeoutMs: 5_000, maxOutputBytes: 16 * 1024 })
    .register(calculatorTool)
    .register(timestampTool);
  const policy = createAllowListPolicy(['calculator', 'timestamp']);

  const app = createApp();
  // No request timeout for the stack: a chat stream is long-lived; provider timeouts and stall detection bound it.
  app.use(...createCanonicalStack({ timeoutMs: 0, maxBodyBytes: 64 * 1024 }));

  const createSession: Handler = async (w, r) => {
    const s = await sessions.create({ system: SYSTEM });
    writeResponse(w, r, 201, { id: s.id });
  };
  const getSession: Handler = async (w, r) => {
    const s = await sessions.get(r.param('id')).catch(() => undefined);
    if (!s) throw notFound();
    writeResponse(w, r, 200, { id: s.id, messages: s.messages.filter((m) => m.role !== 'system') });
  };
  const postMessage: Handler = async (w, r) => {
    const content = readContent(await readJson(r));
    const id = r.param('id');
    if (!(await sessions.get(id).catch(() => undefined))) throw notFound();
    await sessions.append(id, { role: 'user', content });
    if (!w.raw)
      throw new APIError({
        type: 'not_implemented',
        code: 'ASSISTANT_STREAM_UNSUPPORTED',
        message: 'streaming needs a real connection',
      });
    await runChatTurn(
      { ai, sessions, tools, policy, maxSteps: config.maxSteps },
      id,
      new SseWriter(w.raw, { heartbeatMs: 15_000 }),
    );
  };

  app.addRoute('GET', '/healthz', (w) => {
    w.writeHead(200);
    w.end('ok\n');
  });
  app.addRoute('POST', '/api/sessions', createSession);
  app.addRoute('GET', '/api/sessions/:id', getSession);
  app.addRoute('POST', '/api/sessions/:id/messages', postMessage);

  return {
    app,
    close: async () => storage.close(),
  };
}
