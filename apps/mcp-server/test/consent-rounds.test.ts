/**
 * Consent on the 2026-07-28 revision, where the server cannot send a request to the client: the
 * start answers an input-required result carrying the question, the client asks the user and calls
 * again with the answer and the request state. Real SDK v2 clients, over stdio and Streamable HTTP.
 */
import type { Sandbox } from "@booster-export/sandbox"
import {
  type CallToolResult,
  Client,
  type ClientOptions,
  type ElicitRequest,
  type ElicitResult,
  isInputRequiredResult,
  StreamableHTTPClientTransport
} from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  BIN,
  filter,
  PERSONAL_EMAIL,
  sandboxEnv,
  serverEnv,
  startHttp,
  startRound,
  startSandbox,
  tempDirs,
  textOf
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
const cleanups: Array<() => Promise<void>> = []

beforeAll(async () => {
  sandbox = await startSandbox()
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Export requests the sandbox received. */
const posts = () => sandbox.requests().filter((r) => r.origin === "api" && r.method === "POST").length

type Answer = (params: ElicitRequest["params"]) => ElicitResult

interface Setup {
  /** Server flags. */
  readonly args?: ReadonlyArray<string>
  /** The protocol revision the client pins (default 2026-07-28); `legacy` speaks 2025-06-18. */
  readonly era?: "2026-07-28" | "legacy"
  /** Declares form elicitation and answers every question with this. */
  readonly answer?: Answer
  /** Leaves the round trips to the test (`client.request` with `allowInputRequired`). */
  readonly manual?: boolean
}

type Transport = (
  args: ReadonlyArray<string>,
  env: Record<string, string>
) => Promise<{
  readonly transport: StdioClientTransport | StreamableHTTPClientTransport
  readonly stop: () => Promise<void>
}>

const overStdio: Transport = async (args, env) => ({
  transport: new StdioClientTransport({
    command: process.execPath,
    args: [BIN, ...args],
    env,
    stderr: "pipe"
  }),
  stop: async () => undefined
})

const overHttp: Transport = async (args, env) => {
  const server = await startHttp(args, env)
  return { transport: new StreamableHTTPClientTransport(server.url), stop: server.stop }
}

/** An SDK v2 client connected to a fresh server; `asked` records the questions the user saw. */
const connect = async (over: Transport, setup: Setup = {}) => {
  const dirs = await tempDirs()
  cleanups.push(() => dirs.remove())
  const options: ClientOptions = {
    versionNegotiation: { mode: setup.era === "legacy" ? "legacy" : { pin: "2026-07-28" } },
    ...(setup.era === "legacy" ? { supportedProtocolVersions: ["2025-06-18"] } : {}),
    ...(setup.answer !== undefined || setup.manual === true
      ? { capabilities: { elicitation: { form: {} } } }
      : {}),
    ...(setup.manual === true ? { inputRequired: { autoFulfill: false } } : {})
  }
  const client = new Client({ name: "booster-mcp-rounds-test", version: "1.0.0" }, options)
  const asked: Array<ElicitRequest["params"]> = []
  const answer = setup.answer
  if (answer !== undefined) {
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(request.params)
      return answer(request.params)
    })
  }
  const { transport, stop } = await over(setup.args ?? [], serverEnv(dirs, sandboxEnv(sandbox)))
  cleanups.push(stop)
  await client.connect(transport)
  cleanups.push(() => client.close())
  return { client, asked }
}

const start = (client: Client, args: Record<string, unknown>) =>
  client.callTool({ name: "start_export", arguments: args })

/** The first round of a manual start: the question's key, its request, and the request state. */
const asks = async (client: Client, args: Record<string, unknown>) => {
  const first = await startRound(client, args)
  if (!isInputRequiredResult(first)) throw new Error(`expected a question, got ${textOf(first)}`)
  const [key, request] = Object.entries(first.inputRequests ?? {})[0] ?? []
  expect(key).toBeDefined()
  expect(first.requestState).toMatch(/^bxq_/)
  return { key: key as string, request, state: first.requestState as string }
}

const yes: Answer = () => ({ action: "accept", content: { start: true } })

/** Every personal criterion of the filter: the question may say one is there, never what it is. */
const PERSONAL = {
  email: PERSONAL_EMAIL,
  phoneNumber: "+41799990001",
  searchKey: "Jane Doe",
  saleRepresentativeEmails: ["rep.personal@example.com"],
  boosterCustomerIds: [7654321]
}
const PERSONAL_VALUES = ["jane.doe", "Jane Doe", "41799990001", "rep.personal", "7654321"]

describe.each([
  ["stdio", overStdio],
  ["Streamable HTTP", overHttp]
] as const)("consent from a 2026-07-28 client over %s", (_, over) => {
  it("asks the user in the round trip, showing who and why but no personal value nor control character, and starts on yes", async () => {
    const { client, asked } = await connect(over, { answer: yes })
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28")
    const before = posts()
    const result = await start(client, {
      ...filter({ brand: "RTY" }),
      ...PERSONAL,
      interests: [{ interest: "Watches", sapInterestId: "CA-1" }],
      purpose: "ticket OPS-9"
    })
    expect(textOf(result)).toContain("Started export task")
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({ reused: false })
    expect(posts()).toBe(before + 1)
    expect(asked).toHaveLength(1)
    const shown = JSON.stringify(asked[0])
    expect(shown).toContain("ticket OPS-9")
    expect(shown).toContain("ES100")
    expect(shown).toContain("start")
    for (const value of PERSONAL_VALUES) expect(shown).not.toContain(value)
    expect(asked[0]?.message).toContain("Watches")
  })

  it("never asks about a filter whose label carries a reordering character: refused, naming the field and the rule", async () => {
    const { client, asked } = await connect(over, { answer: yes })
    const before = posts()
    const result = await start(client, {
      ...filter({ brand: "RTR" }),
      interests: [{ interest: "Watches\u202Eseirtnuoc lla\u202C", sapInterestId: "CA-1" }]
    })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toContain("interests[0].interest")
    expect(textOf(result)).toContain("no-control-characters")
    // a reordering character in the filter cannot disguise what the user is asked: nothing is asked
    expect(textOf(result)).not.toMatch(/[\u202A-\u202E]/)
    expect(asked).toHaveLength(0)
    expect(posts()).toBe(before)
  })

  it("sends nothing when the user declines, dismisses or answers no", async () => {
    const answers: ReadonlyArray<ElicitResult> = [
      { action: "decline" },
      { action: "cancel" },
      { action: "accept", content: { start: false } }
    ]
    let next = 0
    const { client, asked } = await connect(over, { answer: () => answers[next++]! })
    const before = posts()
    for (const _answer of answers) {
      const result = await start(client, filter({ brand: "RTN" }))
      expect(result.isError).toBe(true)
      expect(textOf(result)).toContain("did not agree")
      expect(textOf(result)).toContain("nothing was sent")
    }
    expect(asked).toHaveLength(3)
    expect(posts()).toBe(before)
  })

  it("refuses an answer whose request state is replayed, forged, for another filter or missing", async () => {
    const { client } = await connect(over, { manual: true })
    const accept = (key: string) => ({ [key]: { action: "accept", content: { start: true } } })
    const before = posts()

    const asked = await asks(client, filter({ brand: "RTR" }))
    expect(JSON.stringify(asked.request)).toContain("elicitation/create")
    const started = await startRound(client, filter({ brand: "RTR" }), {
      inputResponses: accept(asked.key),
      requestState: asked.state
    })
    expect(isInputRequiredResult(started)).toBe(false)
    expect((started as CallToolResult).isError).toBeFalsy()
    expect(posts()).toBe(before + 1)

    const refusals: Array<[Record<string, unknown>, string | undefined, string]> = [
      // the same answer again (force, so that the dedupe window does not answer first)
      [{ ...filter({ brand: "RTR" }), force: true }, asked.state, "already been used"],
      [
        filter({ brand: "RTF" }),
        "bxq_forgedforgedforgedforged",
        "not belong to a question this server asked"
      ],
      [filter({ brand: "RTF" }), undefined, "does not come with the request state"]
    ]
    const preview = await client.callTool({
      name: "preview_export",
      arguments: filter({ brand: "RTF" })
    })
    const confirmation = (preview.structuredContent as { confirmation: string }).confirmation
    refusals.push([filter({ brand: "RTF" }), confirmation, "not belong to a question this server asked"])
    const other = await asks(client, filter({ brand: "RTO" }))
    refusals.push([filter({ brand: "RTF" }), other.state, "different filter"])

    for (const [args, requestState, reason] of refusals) {
      const refused = (await startRound(client, args, {
        inputResponses: accept(asked.key),
        ...(requestState !== undefined ? { requestState } : {})
      })) as CallToolResult
      expect(refused.isError, reason).toBe(true)
      expect(textOf(refused)).toContain(reason)
      expect(textOf(refused)).toContain("nothing was sent")
    }
    expect(posts()).toBe(before + 1)

    // the state refused for another filter still serves the question it was issued for
    const own = await startRound(client, filter({ brand: "RTO" }), {
      inputResponses: accept(other.key),
      requestState: other.state
    })
    expect((own as CallToolResult).isError).toBeFalsy()
    expect(posts()).toBe(before + 2)
  })

  it("asks again before returning a task started within the dedupe window, and creates no second export", async () => {
    const { client, asked } = await connect(over, { answer: yes })
    const first = await start(client, filter({ brand: "RTD" }))
    expect(first.isError).toBeFalsy()
    const before = posts()
    const again = await start(client, filter({ brand: "RTD" }))
    expect(again.isError).toBeFalsy()
    expect(again.structuredContent).toMatchObject({
      reused: true,
      asyncTaskId: (first.structuredContent as { asyncTaskId: string }).asyncTaskId
    })
    expect(asked).toHaveLength(2)
    expect(asked[1]?.message).toContain("The same export was started")
    expect(posts()).toBe(before)
  })

  it("uses the preview's confirmation with a client that does not declare elicitation", async () => {
    const { client } = await connect(over)
    const before = posts()
    const refused = await start(client, filter({ brand: "RTT" }))
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("preview_export")
    expect(posts()).toBe(before)
    const preview = await client.callTool({
      name: "preview_export",
      arguments: filter({ brand: "RTT" })
    })
    const confirmation = (preview.structuredContent as { confirmation: string }).confirmation
    const started = await start(client, { ...filter({ brand: "RTT" }), confirmation })
    expect(started.isError).toBeFalsy()
    expect(posts()).toBe(before + 1)
  })

  it("--consent token requires the confirmation and does not ask, even when the client can be asked", async () => {
    const { client, asked } = await connect(over, { args: ["--consent", "token"], answer: yes })
    const before = posts()
    const refused = await start(client, filter({ brand: "RTK" }))
    expect(refused.isError).toBe(true)
    expect(asked).toHaveLength(0)
    expect(posts()).toBe(before)
  })

  it("--consent elicit asks a client that can be asked, and refuses one that cannot", async () => {
    const asking = await connect(over, { args: ["--consent", "elicit"], answer: yes })
    const before = posts()
    const started = await start(asking.client, filter({ brand: "RTE" }))
    expect(started.isError).toBeFalsy()
    expect(asking.asked).toHaveLength(1)
    expect(posts()).toBe(before + 1)

    const { client } = await connect(over, { args: ["--consent", "elicit"] })
    const refused = await start(client, filter({ brand: "RTX" }))
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("cannot be asked")
    expect(posts()).toBe(before + 1)
  })

  it("keeps asking a 2025-era client with an elicitation request", async () => {
    const { client, asked } = await connect(over, { era: "legacy", answer: yes })
    expect(client.getNegotiatedProtocolVersion()).toBe("2025-06-18")
    const before = posts()
    const result = await start(client, { ...filter({ brand: "RTL" }), purpose: "ticket OPS-10" })
    expect(result.isError).toBeFalsy()
    expect(asked).toHaveLength(1)
    expect(JSON.stringify(asked[0])).toContain("ticket OPS-10")
    expect(posts()).toBe(before + 1)
  })
})
