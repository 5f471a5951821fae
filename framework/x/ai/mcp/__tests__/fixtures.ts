import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type Tool as McpTool,
} from '@modelcontextprotocol/sdk/types.js';
import { builtinTools, createToolRegistry, defineTool, type ToolContext, type ToolRegistry } from 'plumego/x/ai/tool';

/** The registry the MCP tests serve: a schema'd tool, a hung one, a 10 MB one, a throwing one and one the policy denies. */
export function createFixtureRegistry(
  options: {
    timeoutMs?: number;
    maxOutputBytes?: number;
    onCall?: (name: string) => void;
    onSignal?: (signal: AbortSignal) => void;
  } = {},
): ToolRegistry {
  const seen = (name: string) => options.onCall?.(name);
  const r = createToolRegistry({
    timeoutMs: options.timeoutMs ?? 200,
    maxOutputBytes: options.maxOutputBytes ?? 64 * 1024,
  });
  for (const t of builtinTools) {
    r.register({
      ...t,
      invoke: (args: never, ctx: ToolContext) => {
        seen(t.name);
        return t.invoke(args, ctx);
      },
    });
  }
  r.register(
    defineTool<{ city: string; units: string }>({
      name: 'weather',
      description: 'Weather for a city',
      inputSchema: {
        type: 'object',
        properties: {
          city: { type: 'string', minLength: 1 },
          units: { type: 'string', enum: ['C', 'F'], default: 'C' },
        },
        required: ['city'],
        additionalProperties: false,
      },
      invoke: ({ city, units }) => {
        seen('weather');
        return { city, units, temp: 21 };
      },
    }),
  );
  r.register(
    defineTool({
      name: 'hang',
      description: 'never returns',
      inputSchema: { type: 'object' },
      invoke: (_, ctx) => {
        seen('hang');
        options.onSignal?.(ctx.signal);
        return new Promise(() => undefined);
      },
    }),
  );
  r.register(
    defineTool({
      name: 'big',
      description: 'answers 10 MB',
      inputSchema: { type: 'object' },
      invoke: () => {
        seen('big');
        return 'x'.repeat(10 * 1024 * 1024);
      },
    }),
  );
  r.register(
    defineTool({
      name: 'boom',
      description: 'throws',
      inputSchema: { type: 'object' },
      invoke: () => {
        seen('boom');
        throw new Error('password=hunter2');
      },
    }),
  );
  r.register(
    defineTool({
      name: 'secret',
      description: 'not on the allow-list',
      inputSchema: { type: 'object' },
      invoke: () => {
        seen('secret');
        return 'leaked';
      },
    }),
  );
  return r;
}

export const ALLOWED = ['echo', 'calculator', 'timestamp', 'weather', 'hang', 'big', 'boom'];

/** A bare SDK server (not ours) listing hand-written tools, for the client side's schema and name handling. */
export async function startRawMcpServer(tools: McpTool[]): Promise<{ url: string; close(): Promise<void> }> {
  const http: HttpServer = createServer(async (req, res) => {
    const server = new Server({ name: 'raw', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
    server.setRequestHandler(CallToolRequestSchema, (request) => ({
      content: [
        { type: 'text', text: `called ${request.params.name}` },
        { type: 'text', text: JSON.stringify(request.params.arguments) },
      ],
    }));
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
    res.on('close', () => void server.close());
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
