import type { CompletionResponse, Message, ProviderManager } from 'plumego/x/ai/provider';
import type { SessionManager } from 'plumego/x/ai/session';
import { toErrorEvent, toProgressEvent, type SseWriter } from 'plumego/x/ai/streaming';
import { toToolMessage, type ToolPolicy, type ToolRegistry } from 'plumego/x/ai/tool';

export interface ChatDeps {
  ai: ProviderManager;
  sessions: SessionManager;
  tools: ToolRegistry;
  policy: ToolPolicy;
  maxSteps: number;
}

/**
 * One user message, streamed: model turn → (tool calls → tool results → model turn)* → done. Every turn
 * is stored in the session as it completes, so a reconnecting client reads a consistent history; the
 * writer's signal (client gone) aborts the model call and any running tool.
 */
export async function runChatTurn(deps: ChatDeps, sessionId: string, writer: SseWriter): Promise<void> {
  const { signal } = writer;
  let seq = 0;
  const send = (event: { event?: string; data: string }) => writer.send({ ...event, id: String(++seq) });
  try {
    for (let step = 1; step <= deps.maxSteps; step++) {
      const messages = await deps.sessions.getContext(sessionId, { signal });
      const response = await streamModelTurn(deps, messages, send, signal);
      if (response.toolCalls.length === 0) {
        await deps.sessions.append(sessionId, { role: 'assistant', content: response.text });
        await send({
          event: 'done',
          data: JSON.stringify({ stopReason: response.stopReason, usage: response.usage, provider: response.provider }),
        });
        return;
      }
      const toolMessages: Message[] = [];
      for (const call of response.toolCalls) {
        await send(toProgressEvent({ step: `tool:${call.name}`, status: 'started' }));
        const result = await deps.tools.invokeForModel(call, {
          policy: deps.policy,
          scope: { session: sessionId },
          signal,
        });
        await send(
          toProgressEvent({
            step: `tool:${call.name}`,
            status: result.isError ? 'failed' : 'succeeded',
            detail: { output: result.content },
          }),
        );
        toolMessages.push(toToolMessage(result));
      }
      await deps.sessions.append(
        sessionId,
        { role: 'assistant', content: response.text, toolCalls: response.toolCalls },
        ...toolMessages,
      );
    }
    await send(
      toErrorEvent({
        code: 'ASSISTANT_TOO_MANY_STEPS',
        status: 502,
        message: `the model asked for tools more than ${deps.maxSteps} times`,
      }),
    );
  } catch (error) {
    if (signal.aborted) return;
    await send(toErrorEvent(error)).catch(() => undefined);
  } finally {
    writer.end();
  }
}

async function streamModelTurn(
  deps: ChatDeps,
  messages: Message[],
  send: (event: { event?: string; data: string }) => Promise<void>,
  signal: AbortSignal,
): Promise<CompletionResponse> {
  const tools = deps.tools.definitions(deps.policy);
  for await (const event of deps.ai.stream({ model: 'default', messages, tools }, { signal })) {
    if (event.type === 'text') await send({ event: 'text', data: JSON.stringify({ text: event.text }) });
    else if (event.type === 'tool_call_start')
      await send({ event: 'tool_call', data: JSON.stringify({ id: event.id, name: event.name }) });
    else if (event.type === 'done') return event.response;
  }
  throw new Error('provider stream ended without a done event');
}
