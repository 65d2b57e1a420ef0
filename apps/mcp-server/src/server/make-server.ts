/**
 * The MCP server: answers `tools/list` from the tools' wire descriptions and hands `tools/call` to a
 * dispatcher loaded on first use, passing a progress reporter when the request carried a progress
 * token, and a way to ask the user when the client can be asked (a server-to-client elicitation on
 * the 2025 era, a multi-round-trip input-required result on 2026-07-28). Every tool result is
 * sanitised (no control characters, no URL signatures) before it leaves.
 * Built on the official SDK's low-level `Server`, which serves both protocol eras (2025-era
 * `initialize` connections and 2026-07-28 per-request envelopes) from the same handlers. One instance
 * serves one stdio connection, one 2025-era HTTP session or one 2026-07-28 HTTP request. Nothing here
 * loads Effect, so that start-up stays fast.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  isInputRequiredResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type Tool as WireTool
} from "@modelcontextprotocol/server"
import type { Log } from "../logging/log.js"
import { failure, outgoing } from "../tools/result.js"
import type { Elicit, InputRound, ToolResult } from "../tools/tool.js"
import { actorOf } from "./actor.js"

/** Reports progress of a call: `notifications/progress` to the client. */
export type Progress = (progress: number, total: number, message: string) => Promise<void>

/**
 * Runs a listed tool; rejects only on a defect. `elicit` is present when a 2025-era client can be
 * asked, `round` when a 2026-07-28 client can be (the answer is then an input-required result).
 * `actor` names who called (an OAuth token's subject) for the audit trail, else the OS user is recorded.
 */
export type Dispatch = (
  name: string,
  args: Readonly<Record<string, unknown>>,
  progress: Progress | undefined,
  signal: AbortSignal,
  elicit?: Elicit,
  round?: InputRound,
  actor?: string
) => Promise<ToolResult>

/**
 * Whether declared client capabilities cover a form question, as the SDK's own input-request gate
 * reads them: `elicitation.form`, or a bare `elicitation: {}` (the pre-mode meaning of form).
 */
export const canAskForm = (capabilities: ClientCapabilities | undefined): boolean => {
  const elicitation = capabilities?.elicitation
  if (elicitation === undefined) return false
  return elicitation.form !== undefined || elicitation.url === undefined
}

/** How long the user has to answer a question asked through the client, in ms. */
export const ELICIT_TIMEOUT_MS = 10 * 60_000

/** What a server needs. */
export interface ServerOptions {
  readonly name: string
  readonly version: string
  readonly instructions: string
  /** The tools offered, as `tools/list` answers them. */
  readonly tools: ReadonlyArray<WireTool>
  /** Names of tools left out (read-only mode), so that a call to one says why. */
  readonly withheld: ReadonlyArray<string>
  /** The dispatcher, loaded (once) when a tool is first called. */
  readonly dispatch: () => Promise<Dispatch>
  readonly log: Log
  /** Told about every tool call in flight, so that shutting down can wait for them. */
  readonly track?: (call: Promise<unknown>) => void
}

/**
 * The names the export tools had when they exported customers only: still called by earlier
 * clients' configurations, they run the tools of every kind (whose `kind` defaults to customers), and
 * are not listed.
 */
export const FORMER_NAMES: Readonly<Record<string, string>> = {
  preview_customer_export: "preview_export",
  start_customer_export: "start_export"
}

/** A server with the tool handlers installed, not yet connected. */
export const make = (options: ServerOptions): Server => {
  const server = new Server(
    { name: options.name, version: options.version, title: "Booster exports" },
    { capabilities: { tools: { listChanged: false } }, instructions: options.instructions }
  )
  const listed = new Map(options.tools.map((tool) => [tool.name, tool]))

  server.setRequestHandler("tools/list", async () => ({ tools: [...options.tools] }))

  server.setRequestHandler("tools/call", async (request, context) => {
    const name = Object.hasOwn(FORMER_NAMES, request.params.name)
      ? FORMER_NAMES[request.params.name]!
      : request.params.name
    const tool = listed.get(name)
    if (tool === undefined) {
      if (options.withheld.includes(name)) {
        return failure(
          `${name} is not available: this server runs with --read-only. ` +
            "Use preview_export, get_export_task and list_export_tasks, or restart the server without --read-only."
        )
      }
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown tool ${JSON.stringify(name.slice(0, 64))}; call tools/list for the available tools`
      )
    }
    const token = context.mcpReq._meta?.progressToken ?? request.params._meta?.progressToken
    const progress: Progress | undefined =
      token === undefined
        ? undefined
        : (value, total, message) =>
            context.mcpReq
              .notify({
                method: "notifications/progress",
                params: { progressToken: token, progress: value, total, message }
              })
              .catch(() => undefined)
    // The 2026-07-28 revision has no server-to-client requests: a question is a multi-round-trip
    // input-required result, asked only of a client whose request declares form elicitation. A
    // 2025-era client is asked when its `initialize` declared form elicitation (a bare
    // `elicitation: {}` included).
    const modern = context.mcpReq.envelope !== undefined
    const declared = modern
      ? ((context.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as
          | ClientCapabilities
          | undefined)
      : undefined
    const requestState: unknown = context.mcpReq.requestState()
    const round: InputRound | undefined =
      modern && canAskForm(declared)
        ? {
            responses: context.mcpReq.inputResponses,
            state: typeof requestState === "string" ? requestState : undefined
          }
        : undefined
    const elicit: Elicit | undefined =
      modern || !canAskForm(server.getClientCapabilities())
        ? undefined
        : async (form) => {
            const answer = await context.mcpReq.elicitInput(
              { mode: "form", message: form.message, requestedSchema: form.requestedSchema },
              { signal: context.mcpReq.signal, timeout: ELICIT_TIMEOUT_MS }
            )
            return {
              action: answer.action,
              ...(answer.content !== undefined ? { content: answer.content } : {})
            }
          }
    const started = performance.now()
    const call = (async () => {
      try {
        const dispatch = await options.dispatch()
        const result = await dispatch(
          name,
          request.params.arguments ?? {},
          progress,
          context.mcpReq.signal,
          elicit,
          round,
          actorOf(context.http?.authInfo)
        )
        if (isInputRequiredResult(result)) {
          options.log.info(`${name} asked the user in ${Math.round(performance.now() - started)} ms`)
          return result
        }
        options.log.info(
          `${name} ${result.isError ? "failed" : "succeeded"} in ${Math.round(performance.now() - started)} ms`
        )
        return server.projectCallToolResult(outgoing(result), tool.outputSchema)
      } catch (error) {
        // the client gave up (a timeout, a cancellation): the call was stopped, nothing failed
        if (context.mcpReq.signal.aborted) {
          options.log.info(
            `${name} cancelled by the client after ${Math.round(performance.now() - started)} ms`
          )
          return failure("The call was cancelled by the client.")
        }
        options.log.error(`${name} failed unexpectedly: ${error instanceof Error ? error.name : "defect"}`)
        return failure(
          "The tool failed unexpectedly. Try again; if it keeps failing, look at the server's log (stderr)."
        )
      }
    })()
    options.track?.(call)
    return call
  })
  return server
}
