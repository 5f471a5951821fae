/** What a tool may touch. `shell`, `filesystem` and `network` need an explicit opt-in on the registry. */
export type ToolCapability = 'pure' | 'clock' | 'network' | 'filesystem' | 'shell';

export const DANGEROUS_CAPABILITIES: readonly ToolCapability[] = ['network', 'filesystem', 'shell'];

export interface ToolContext {
  /** Aborted on timeout or when the caller gives up; long-running tools must honour it. */
  signal: AbortSignal;
  /** Caller-supplied scope (session, tenant, user), for policies and tools that need it. */
  scope: Readonly<Record<string, string>>;
}

/** A tool a model may call: a JSON Schema for its arguments and a function. */
export interface Tool<A = Record<string, unknown>> {
  /** `[A-Za-z0-9_-]{1,64}`, as both vendors require. */
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the arguments object; compiled at registration. */
  inputSchema: Readonly<Record<string, unknown>>;
  /** Default `['pure']`. */
  capabilities?: readonly ToolCapability[];
  /** Per-tool timeout; default the registry's. */
  timeoutMs?: number;
  invoke(args: A, context: ToolContext): unknown;
}

/** Builds a tool from a function (arguments typed by the caller). */
export function defineTool<A = Record<string, unknown>>(tool: Tool<A>): Tool<A> {
  return tool;
}
