import { dirname, join } from "node:path"
import type { Sandbox } from "@booster-export/sandbox"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  asResult,
  connectHttp,
  filter,
  GENERATIONS,
  type Generation,
  PERSONAL_EMAIL,
  readJournal,
  SDK1,
  sandboxEnv,
  serverEnv,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>>
let server: Awaited<ReturnType<typeof connectHttp>> | undefined

beforeAll(async () => {
  sandbox = await startSandbox()
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  await server?.close()
  server = undefined
  await dirs?.remove()
})

const connect = async (args: ReadonlyArray<string> = [], generation: Generation = SDK1) => {
  dirs = await tempDirs()
  server = await connectHttp(args, serverEnv(dirs, sandboxEnv(sandbox)), generation)
  return server
}

describe.each(GENERATIONS)("Streamable HTTP, $name", (generation) => {
  it("binds to 127.0.0.1 and lists the tools", async () => {
    const { client, url } = await connect([], generation)
    expect(client.revision).toBe(generation.revision)
    expect(url.hostname).toBe("127.0.0.1")
    expect(url.pathname).toBe("/mcp")
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toEqual([
      "preview_export",
      "start_export",
      "get_export_task",
      "list_export_tasks",
      "download_export_file",
      "summarize_export_file",
      "list_schedules",
      "describe_schedule"
    ])
  })

  it("previews a filter and reports problems", async () => {
    const { client } = await connect([], generation)
    const ok = await client.callTool("preview_export", filter({ email: PERSONAL_EMAIL }))
    expect(ok.isError).toBeFalsy()
    expect(ok.structuredContent).toMatchObject({ valid: true, personalFieldsHidden: ["email"] })
    expect(JSON.stringify(ok)).not.toContain(PERSONAL_EMAIL)
    const bad = await client.callTool("preview_export", { brand: "" })
    expect(bad.isError).toBe(true)
    expect(textOf(bad)).toContain("posCodes: is required")
  })

  it("starts an export once, follows it with progress, and returns the same task when repeated", async () => {
    const { client } = await connect([], generation)
    const before = sandbox.tasksCreated()
    const first = await startWithConsent(client, { ...filter(), purpose: "HTTP test" })
    const id = (first.structuredContent as { asyncTaskId: string }).asyncTaskId
    // a repeat within the dedupe window sends nothing new, and is consented to like a start
    const second = await startWithConsent(client, filter())
    expect(second.structuredContent).toMatchObject({ asyncTaskId: id, reused: true })
    expect(sandbox.tasksCreated()).toBe(before + 1)
    // the chain holds each purpose's keyed hash; the text sits beside it, erasable
    const purposeHmac = expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/)
    expect(await readJournal(dirs.journal)).toEqual([
      expect.objectContaining({ event: "requested", asyncTaskId: "", purposeHmac }),
      expect.objectContaining({ event: "started", asyncTaskId: id, purposeHmac })
    ])
    const purposes = await readJournal(join(dirname(dirs.journal), "purposes.jsonl"))
    expect(purposes.map((line) => [line.seq, line.purpose])).toEqual([
      [1, "HTTP test"],
      [2, "HTTP test"]
    ])

    const progress: Array<number> = []
    const followed = await client.callTool(
      "get_export_task",
      { asyncTaskId: id, waitSeconds: 60 },
      { onprogress: (p) => progress.push(p.progress), timeout: 90_000 }
    )
    expect(followed.structuredContent).toMatchObject({ statusKind: "completed" })
    expect(progress.at(-1)).toBe(100)
  })

  it("serves 100 concurrent calls", async () => {
    const { client } = await connect([], generation)
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        client.callTool("preview_export", filter({ posCodes: [`H${i}`] }))
      )
    )
    expect(results.every((result) => !result.isError)).toBe(true)
  })

  it("offers only the read tools with --read-only", async () => {
    const { client } = await connect(["--read-only"], generation)
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name)).toEqual([
      "preview_export",
      "get_export_task",
      "list_export_tasks",
      "summarize_export_file",
      "list_schedules",
      "describe_schedule"
    ])
    const refused = await client.callTool("start_export", filter())
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("--read-only")
  })
})

describe("Streamable HTTP endpoint", () => {
  it("answers malformed JSON with a parse error and a foreign Host with 403, and keeps serving", async () => {
    const { client, url } = await connect()
    const parse = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{not json"
    })
    expect(parse.status).toBe(400)
    expect(((await parse.json()) as { error: { code: number } }).error.code).toBe(-32700)

    const noSession = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
    })
    expect(noSession.status).toBe(400)

    const { request } = await import("node:http")
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            host: "evil.example:80",
            "content-type": "application/json",
            accept: "application/json, text/event-stream"
          }
        },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }
      )
      req.on("error", reject)
      req.end(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } }
        })
      )
    })
    expect(status).toBe(403)
    await expect(client.alive()).resolves.toBeUndefined()
  })

  it("accepts a preview's confirmation in another session of the same server, once", async () => {
    const { client, url } = await connect()
    const { confirmation } = (await client.callTool("preview_export", filter({ brand: "HSS" })))
      .structuredContent as { confirmation: string }
    const other = new Client({ name: "booster-mcp-test-2", version: "1.0.0" })
    await other.connect(new StreamableHTTPClientTransport(url))
    try {
      const before = sandbox.tasksCreated()
      const started = asResult(
        await other.callTool({
          name: "start_export",
          arguments: { ...filter({ brand: "HSS" }), confirmation }
        })
      )
      expect(started.structuredContent).toMatchObject({ reused: false })
      const again = await client.callTool("start_export", {
        ...filter({ brand: "HSS" }),
        force: true,
        confirmation
      })
      expect(again.isError).toBe(true)
      expect(textOf(again)).toContain("already been used")
      expect(sandbox.tasksCreated()).toBe(before + 1)
    } finally {
      await other.close()
    }
  })

  it("asks the user through an HTTP client that supports elicitation, during the call", async () => {
    const { url } = await connect()
    const asking = new Client(
      { name: "booster-mcp-test-elicit", version: "1.0.0" },
      { capabilities: { elicitation: { form: {} } } }
    )
    const asked: Array<string> = []
    asking.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message)
      return { action: "accept", content: { start: true } }
    })
    await asking.connect(new StreamableHTTPClientTransport(url))
    try {
      const before = sandbox.tasksCreated()
      const started = asResult(
        await asking.callTool({
          name: "start_export",
          arguments: { ...filter({ brand: "HEL" }), purpose: "HTTP consent" }
        })
      )
      expect(started.structuredContent).toMatchObject({ reused: false })
      expect(asked).toHaveLength(1)
      expect(asked[0]).toContain("HTTP consent")
      expect(sandbox.tasksCreated()).toBe(before + 1)
    } finally {
      await asking.close()
    }
  })
})
