import type { Sandbox } from "@booster-export/sandbox"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  asResult,
  BIN,
  filter,
  PERSONAL_EMAIL,
  sandboxEnv,
  serverEnv,
  startSandbox,
  tempDirs,
  textOf
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let client: Client | undefined

beforeAll(async () => {
  sandbox = await startSandbox()
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  await client?.close()
  client = undefined
  await dirs?.remove()
  dirs = undefined
})

/** Export requests the sandbox received. */
const posts = () => sandbox.requests().filter((r) => r.origin === "api" && r.method === "POST").length

/**
 * A v1 SDK client over stdio; with `answer`, it declares elicitation (`declared`, form by default)
 * and answers with it.
 */
const connect = async (
  args: ReadonlyArray<string> = [],
  answer?: (message: string) => ElicitResult,
  declared: Record<string, unknown> = { form: {} }
): Promise<{ client: Client; asked: Array<string> }> => {
  dirs = await tempDirs()
  const asked: Array<string> = []
  client = new Client(
    { name: "booster-mcp-consent-test", version: "1.0.0" },
    answer === undefined ? {} : { capabilities: { elicitation: declared } }
  )
  if (answer !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(JSON.stringify(request.params))
      return answer(request.params.message)
    })
  }
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, ...args],
      env: serverEnv(dirs, sandboxEnv(sandbox)),
      stderr: "pipe"
    })
  )
  return { client, asked }
}

const call = async (c: Client, name: string, args: Record<string, unknown>) =>
  asResult(await c.callTool({ name, arguments: args }))

const previewed = async (c: Client, args: Record<string, unknown>) => {
  const result = await call(c, "preview_export", args)
  return (result.structuredContent as { confirmation: string }).confirmation
}

describe("consent with the preview's confirmation (a client that cannot be asked)", () => {
  it("refuses a start without confirmation, teaching the next step, and sends nothing", async () => {
    const { client } = await connect()
    const before = posts()
    const result = await call(client, "start_export", filter({ brand: "CNS" }))
    expect(result.isError).toBe(true)
    expect(textOf(result)).toContain("preview_export")
    expect(textOf(result)).toContain("confirmation")
    expect(textOf(result)).toContain("nothing was sent")
    expect(posts()).toBe(before)
  })

  it("starts with the confirmation of the same filter, written differently", async () => {
    const { client } = await connect()
    const confirmation = await previewed(client, filter({ brand: "CNT", posCodes: ["IT200", "ES100"] }))
    expect(confirmation).toMatch(/^bxc_/)
    const before = posts()
    const started = await call(client, "start_export", {
      ...filter({ brand: " CNT " }),
      purpose: "ticket OPS-1",
      confirmation
    })
    expect(textOf(started)).toContain("Started export task")
    expect(started.isError).toBeFalsy()
    expect(started.structuredContent).toMatchObject({ reused: false })
    expect(posts()).toBe(before + 1)
  })

  it("refuses a confirmation issued for another filter, and one used already", async () => {
    const { client } = await connect()
    const other = await previewed(client, filter({ brand: "CNO" }))
    const before = posts()
    const wrong = await call(client, "start_export", {
      ...filter({ brand: "CNU" }),
      confirmation: other
    })
    expect(wrong.isError).toBe(true)
    expect(textOf(wrong)).toContain("different filter")
    expect(posts()).toBe(before)

    const started = await call(client, "start_export", {
      ...filter({ brand: "CNO" }),
      confirmation: other
    })
    expect(started.isError).toBeFalsy()
    expect(posts()).toBe(before + 1)
    const reused = await call(client, "start_export", {
      ...filter({ brand: "CNO" }),
      force: true,
      confirmation: other
    })
    expect(reused.isError).toBe(true)
    expect(textOf(reused)).toContain("already been used")
    expect(posts()).toBe(before + 1)

    const invented = await call(client, "start_export", {
      ...filter({ brand: "CNO" }),
      force: true,
      confirmation: "bxc_invented"
    })
    expect(invented.isError).toBe(true)
    expect(textOf(invented)).toContain("not issued by this server")
    expect(posts()).toBe(before + 1)
  })

  it("refuses an expired confirmation", async () => {
    const { client } = await connect(["--confirmation-minutes", "0.01"])
    const confirmation = await previewed(client, filter({ brand: "CNE" }))
    await new Promise((resolve) => setTimeout(resolve, 1_200))
    const before = posts()
    const result = await call(client, "start_export", { ...filter({ brand: "CNE" }), confirmation })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toContain("expired")
    expect(posts()).toBe(before)
  })

  it("returns a task started within the dedupe window only with a confirmation, creating no second export", async () => {
    const { client } = await connect()
    const confirmation = await previewed(client, filter({ brand: "CND" }))
    const first = await call(client, "start_export", { ...filter({ brand: "CND" }), confirmation })
    const before = posts()
    const refused = await call(client, "start_export", filter({ brand: "CND" }))
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("preview_export")
    const again = await call(client, "start_export", {
      ...filter({ brand: "CND" }),
      confirmation: await previewed(client, filter({ brand: "CND" }))
    })
    expect(again.isError).toBeFalsy()
    expect(again.structuredContent).toMatchObject({
      reused: true,
      asyncTaskId: (first.structuredContent as { asyncTaskId: string }).asyncTaskId
    })
    expect(posts()).toBe(before)
  })
})

describe("consent asked by the server (form elicitation)", () => {
  it("asks the user, showing who and why but no personal value, and starts on yes", async () => {
    const { client, asked } = await connect([], () => ({ action: "accept", content: { start: true } }))
    const before = posts()
    const result = await call(client, "start_export", {
      ...filter({ brand: "ELY" }),
      email: PERSONAL_EMAIL,
      purpose: "ticket OPS-7"
    })
    expect(result.isError).toBeFalsy()
    expect(posts()).toBe(before + 1)
    expect(asked).toHaveLength(1)
    expect(asked[0]).toContain("ticket OPS-7")
    expect(asked[0]).toContain("ES100")
    expect(asked[0]).not.toContain(PERSONAL_EMAIL)
  })

  it("asks a client declaring a bare `elicitation: {}` (form, as the spec reads it), not for a token", async () => {
    const { client, asked } = await connect([], () => ({ action: "accept", content: { start: true } }), {})
    const before = posts()
    const result = await call(client, "start_export", {
      ...filter({ brand: "BRE" }),
      purpose: "ticket OPS-9"
    })
    expect(result.isError, textOf(result)).toBeFalsy()
    expect(asked).toHaveLength(1)
    expect(asked[0]).toContain("ticket OPS-9")
    expect(posts()).toBe(before + 1)
  })

  it("sends nothing when the user declines or answers no", async () => {
    for (const answer of [
      { action: "decline" } as const,
      { action: "cancel" } as const,
      { action: "accept", content: { start: false } } as const
    ]) {
      const { client } = await connect([], () => answer)
      const before = posts()
      const result = await call(client, "start_export", filter({ brand: "ELN" }))
      expect(result.isError).toBe(true)
      expect(textOf(result)).toContain("did not agree")
      expect(posts()).toBe(before)
      await client.close()
    }
  })

  it("does not let a confirmation stand in for the user's yes when the client can be asked", async () => {
    const { client, asked } = await connect([], () => ({ action: "decline" }))
    const confirmation = await previewed(client, filter({ brand: "ELT" }))
    const before = posts()
    const result = await call(client, "start_export", { ...filter({ brand: "ELT" }), confirmation })
    expect(result.isError).toBe(true)
    expect(asked).toHaveLength(1)
    expect(posts()).toBe(before)
  })

  it("--consent token requires the confirmation even from a client that can be asked", async () => {
    const { client, asked } = await connect(["--consent", "token"], () => ({
      action: "accept",
      content: { start: true }
    }))
    const before = posts()
    const refused = await call(client, "start_export", filter({ brand: "TKN" }))
    expect(refused.isError).toBe(true)
    expect(asked).toHaveLength(0)
    const confirmation = await previewed(client, filter({ brand: "TKN" }))
    const started = await call(client, "start_export", { ...filter({ brand: "TKN" }), confirmation })
    expect(started.isError).toBeFalsy()
    expect(posts()).toBe(before + 1)
  })

  it("--consent elicit refuses a client that cannot be asked, even with a confirmation", async () => {
    const { client } = await connect(["--consent", "elicit"])
    const preview = await call(client, "preview_export", filter({ brand: "ELC" }))
    expect(preview.structuredContent).not.toHaveProperty("confirmation")
    const before = posts()
    const result = await call(client, "start_export", filter({ brand: "ELC" }))
    expect(result.isError).toBe(true)
    expect(textOf(result)).toContain("elicitation")
    expect(posts()).toBe(before)
  })
})
