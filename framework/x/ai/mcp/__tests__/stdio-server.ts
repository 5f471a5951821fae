// Spawned by the stdio test: this process is an MCP server over its stdin/stdout.
import { builtinTools, createAllowListPolicy, createToolRegistry } from 'plumego/x/ai/tool';
import { serveMcpOverStdio } from '../server.ts';

const registry = createToolRegistry();
for (const t of builtinTools) registry.register(t);
await serveMcpOverStdio({
  registry,
  policy: createAllowListPolicy(['echo', 'calculator']),
  serverInfo: { name: 'stdio-fixture', version: '1.0.0' },
});
