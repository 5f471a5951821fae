import type { Message, ToolCall, ToolDefinition } from 'plumego/x/ai/provider';
import { createValidator, type Schema, type Validator } from 'plumego/x/validate';
import { AI_TOOL_ERROR_CODES, AiToolError, assertDefinition, isAiToolError } from './errors.ts';
import type { ToolPolicy } from './policy.ts';
import { DANGEROUS_CAPABILITIES, type Tool, type ToolCapability } from './tool.ts';

export interface ToolRegistryOptions {
  /** Default timeout per call. Default 10 000 ms. */
  timeoutMs?: number;
  /** Largest serialized result, in UTF-8 bytes. Default 65 536. */
  maxOutputBytes?: number;
  /** Dangerous capabilities (`network`, `filesystem`, `shell`) tools may declare. Default none. */
  allowCapabilities?: readonly ToolCapability[];
}

export interface InvokeOptions {
  /** Who may call what; required, so a forgotten policy denies instead of allowing. */
  policy: ToolPolicy;
  scope?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/** A tool call's outcome in the shape a model gets back. */
export interface ToolResult {
  toolCallId: string;
  name: string;
  /** The output (a string as is, anything else as JSON), or for errors `{"error":{code,message}}`. */
  content: string;
  isError: boolean;
}

const DEFAULT_TOOL_REGISTRY = { timeoutMs: 10_000, maxOutputBytes: 65_536 } as const;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

interface Entry {
  tool: Tool<never>;
  schema: Schema<Record<string, unknown>>;
}

/**
 * Tools a model may call. Every call passes, in order: known tool → policy → schema-valid arguments →
 * bounded run (timeout, abort) → bounded output. Anything else is a typed error; `invokeForModel` turns
 * those into error results the model can read and recover from.
 */
export class ToolRegistry {
  readonly #tools = new Map<string, Entry>();
  readonly #validator: Validator = createValidator({ useDefaults: true });
  readonly #timeoutMs: number;
  readonly #maxOutputBytes: number;
  readonly #allowCapabilities: ReadonlySet<ToolCapability>;

  constructor(options: ToolRegistryOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_REGISTRY.timeoutMs;
    this.#maxOutputBytes = options.maxOutputBytes ?? DEFAULT_TOOL_REGISTRY.maxOutputBytes;
    this.#allowCapabilities = new Set(options.allowCapabilities ?? []);
    assertDefinition(Number.isFinite(this.#timeoutMs) && this.#timeoutMs > 0, 'timeoutMs must be positive');
    assertDefinition(
      Number.isInteger(this.#maxOutputBytes) && this.#maxOutputBytes > 0,
      'maxOutputBytes must be a positive integer',
    );
  }

  /** Registers a tool; a bad name, a duplicate, a schema that does not compile or an unallowed capability throws now. */
  register<A>(tool: Tool<A>): this {
    assertDefinition(typeof tool?.name === 'string' && NAME.test(tool.name), 'name must match [A-Za-z0-9_-]{1,64}');
    assertDefinition(!this.#tools.has(tool.name), `duplicate tool ${tool.name}`);
    assertDefinition(
      typeof tool.description === 'string' && tool.description.length > 0,
      `${tool.name}: description is required`,
    );
    assertDefinition(typeof tool.invoke === 'function', `${tool.name}: invoke must be a function`);
    assertDefinition(
      typeof tool.inputSchema === 'object' && tool.inputSchema !== null && tool.inputSchema['type'] === 'object',
      `${tool.name}: inputSchema must be an object schema`,
    );
    if (tool.timeoutMs !== undefined)
      assertDefinition(
        Number.isFinite(tool.timeoutMs) && tool.timeoutMs > 0,
        `${tool.name}: timeoutMs must be positive`,
      );
    for (const c of tool.capabilities ?? []) {
      if (DANGEROUS_CAPABILITIES.includes(c) && !this.#allowCapabilities.has(c)) {
        throw new AiToolError(
          AI_TOOL_ERROR_CODES.invalidDefinition,
          `${tool.name}: capability '${c}' needs allowCapabilities on the registry`,
          { tool: tool.name, capability: c },
        );
      }
    }
    const schema: Schema<Record<string, unknown>> = { jsonSchema: tool.inputSchema };
    try {
      this.#validator.compile(schema);
    } catch (error) {
      throw new AiToolError(
        AI_TOOL_ERROR_CODES.invalidDefinition,
        `${tool.name}: inputSchema does not compile`,
        { tool: tool.name },
        error,
      );
    }
    this.#tools.set(tool.name, { tool: tool as Tool<never>, schema });
    return this;
  }

  /** Definitions of the tools the policy allows in this scope, to send to the model. */
  definitions(policy: ToolPolicy, scope: Readonly<Record<string, string>> = {}): ToolDefinition[] {
    return [...this.#tools.values()]
      .filter((e) => policy.allows(e.tool.name, scope))
      .map((e) => ({ name: e.tool.name, description: e.tool.description, inputSchema: e.tool.inputSchema }));
  }

  /** Runs one call; throws `AiToolError` on any failure. */
  async invoke(call: Pick<ToolCall, 'name' | 'arguments'>, options: InvokeOptions): Promise<unknown> {
    const entry = this.#tools.get(call.name);
    if (!entry) throw new AiToolError(AI_TOOL_ERROR_CODES.notFound, 'unknown tool', { tool: call.name.slice(0, 64) });
    const scope = options.scope ?? {};
    if (!options.policy?.allows(call.name, scope))
      throw new AiToolError(AI_TOOL_ERROR_CODES.denied, `tool ${call.name} is not allowed here`, { tool: call.name });
    // Validation may fill defaults: work on a copy, never on the model's object.
    const args = structuredClone(call.arguments ?? {});
    const checked = this.#validator.validate(entry.schema, args);
    if (!checked.ok)
      throw new AiToolError(
        AI_TOOL_ERROR_CODES.invalidArguments,
        `arguments for ${call.name} do not match its schema`,
        { tool: call.name, issues: checked.issues },
      );
    const output = await this.#run(entry.tool, checked.value, scope, options.signal);
    this.#serialize(call.name, output);
    return output;
  }

  /** Runs one call and never throws for tool failures: errors become results the model can read. */
  async invokeForModel(call: ToolCall, options: InvokeOptions): Promise<ToolResult> {
    try {
      const output = await this.invoke(call, options);
      return { toolCallId: call.id, name: call.name, content: this.#serialize(call.name, output), isError: false };
    } catch (error) {
      if (!isAiToolError(error)) throw error;
      const issues = error.details['issues'];
      const body = { error: { code: error.code, message: error.message, ...(issues === undefined ? {} : { issues }) } };
      return { toolCallId: call.id, name: call.name, content: JSON.stringify(body), isError: true };
    }
  }

  async #run(
    tool: Tool<never>,
    args: Record<string, unknown>,
    scope: Readonly<Record<string, string>>,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const timeoutMs = tool.timeoutMs ?? this.#timeoutMs;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    // A tool that ignores its signal keeps running, but the caller stops waiting at the deadline.
    const bounded = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new AiToolError(
          AI_TOOL_ERROR_CODES.timeout,
          `tool ${tool.name} timed out after ${timeoutMs} ms`,
          { tool: tool.name, timeoutMs },
        );
        controller.abort(error);
        reject(error);
      }, timeoutMs);
      onAbort = () => {
        const error = new AiToolError(AI_TOOL_ERROR_CODES.aborted, `tool ${tool.name} was aborted`, {
          tool: tool.name,
        });
        controller.abort(error);
        reject(error);
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([
        Promise.resolve().then(() => tool.invoke(args as never, { signal: controller.signal, scope })),
        bounded,
      ]);
    } catch (error) {
      if (isAiToolError(error)) throw error;
      // The tool's own message may hold anything (paths, query text): keep it on `cause` for logs only.
      throw new AiToolError(AI_TOOL_ERROR_CODES.failed, `tool ${tool.name} failed`, { tool: tool.name }, error);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  #serialize(name: string, output: unknown): string {
    let text: string | undefined;
    try {
      text = typeof output === 'string' ? output : JSON.stringify(output ?? null);
    } catch (error) {
      throw new AiToolError(
        AI_TOOL_ERROR_CODES.failed,
        `tool ${name} returned a value that is not JSON`,
        { tool: name },
        error,
      );
    }
    const bytes = Buffer.byteLength(text ?? '');
    if (bytes > this.#maxOutputBytes) {
      throw new AiToolError(
        AI_TOOL_ERROR_CODES.outputTooLarge,
        `tool ${name} returned ${bytes} bytes (limit ${this.#maxOutputBytes})`,
        { tool: name, bytes, limit: this.#maxOutputBytes },
      );
    }
    return text ?? 'null';
  }
}

/** The message that hands a tool result back to the model. */
export function toToolMessage(result: ToolResult): Message {
  return {
    role: 'tool',
    toolCallId: result.toolCallId,
    content: result.content,
    ...(result.isError ? { isError: true } : {}),
  };
}

export function createToolRegistry(options?: ToolRegistryOptions): ToolRegistry {
  return new ToolRegistry(options);
}
