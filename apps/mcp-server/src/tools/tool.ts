/**
 * What a tool is: its name, honest annotations, generated input and output JSON Schemas, and a
 * handler returning a result with `structuredContent` and a text rendering — or an `isError` result
 * whose text names every problem and the next step, never a personal value.
 */

import type { JsonSchema } from "@booster-export/core"
import type {
  CallToolResult,
  ElicitRequestFormParams,
  InputRequiredResult
} from "@modelcontextprotocol/server"
import type { Effect } from "effect"

/** A form the server asks the user to fill in through the client (MCP form elicitation). */
export interface ElicitForm {
  /** What the user is asked, in plain words. */
  readonly message: string
  /** A flat JSON Schema object of the answers asked for, in the shape the protocol allows. */
  readonly requestedSchema: ElicitRequestFormParams["requestedSchema"]
}

/** The user's answer to an {@link ElicitForm}. */
export interface ElicitAnswer {
  readonly action: "accept" | "decline" | "cancel"
  readonly content?: Readonly<Record<string, unknown>>
}

/** Asks the user through the client; rejects when the client does not answer. */
export type Elicit = (form: ElicitForm) => Promise<ElicitAnswer>

/**
 * A call from a 2026-07-28 client that declared form elicitation. That revision has no
 * server-to-client requests: a handler asks the user by answering an input-required result (see
 * {@link ToolResult}); the client puts the question to the user and calls again with the answers
 * and the request state echoed back. Both come from the client: untrusted.
 */
export interface InputRound {
  /** The answers the call carries, keyed as the server asked; absent on a first call. */
  readonly responses: Readonly<Record<string, unknown>> | undefined
  /** The request state echoed back; absent on a first call. */
  readonly state: string | undefined
}

/** What a handler can do besides computing its result: report progress, ask the user. */
export interface CallContext {
  /** Sends `notifications/progress`; absent when the request carried no progress token. */
  readonly progress?: (progress: number, total: number, message: string) => Effect.Effect<void>
  /** Asks the user a question through the client (2025 era); absent when the client cannot. */
  readonly elicit?: Elicit
  /** The multi-round-trip of a 2026-07-28 client that can be asked; absent otherwise. */
  readonly round?: InputRound
  /**
   * Who called: an OAuth access token's subject, as the journal records it; absent otherwise (the
   * journal then records the OS user running the server, `Journal.actor()`).
   */
  readonly actor?: string
}

/** What a handler answers: a tool result, or (with an {@link InputRound}) a question for the user. */
export type ToolResult = CallToolResult | InputRequiredResult

/** A tool, generic in the services its handler needs. */
export interface Tool<R> {
  /** The tool's name, e.g. `start_export`. */
  readonly name: string
  /** A short human title. */
  readonly title: string
  /** What the tool does and when to use it, for the model. */
  readonly description: string
  /** JSON Schema of the arguments, generated from core's field specifications. */
  readonly inputSchema: JsonSchema.JsonSchema
  /** JSON Schema of `structuredContent`, generated from an Effect Schema. */
  readonly outputSchema: JsonSchema.JsonSchema
  /** Honest hints: what the tool reads, changes and reaches. */
  readonly annotations: {
    readonly readOnlyHint: boolean
    readonly destructiveHint: false
    readonly idempotentHint: boolean
    readonly openWorldHint: boolean
  }
  /** Runs the tool; failures are `isError` results, never a failed effect. */
  readonly call: (
    args: Readonly<Record<string, unknown>>,
    context: CallContext
  ) => Effect.Effect<ToolResult, never, R>
}

/** Splits tool-specific arguments (e.g. `force`, `purpose`) from the rest (the filter). */
export const split = <K extends string>(
  args: Readonly<Record<string, unknown>>,
  keys: ReadonlyArray<K>
): { readonly own: Partial<Record<K, unknown>>; readonly rest: Record<string, unknown> } => {
  const own: Partial<Record<K, unknown>> = {}
  const rest: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(args)) {
    if ((keys as ReadonlyArray<string>).includes(key)) own[key as K] = value
    else rest[key] = value
  }
  return { own, rest }
}

export { failure, invalid, success } from "./result.js"
