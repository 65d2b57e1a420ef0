/**
 * Privacy under attack: each rule is shown by standing the attacker up on 127.0.0.1 — a web page
 * rebinding its name to this machine, a client without the token, an oversize body, a flood of
 * sessions, a client splitting characters across reads, and an API (or a prompt-injected assistant)
 * feeding hostile names, control characters and signed URLs.
 */
import { spawn } from "node:child_process"
import { readdir, readFile, writeFile } from "node:fs/promises"
import { createServer, request, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { dirname, join, sep } from "node:path"
import type { Sandbox } from "@booster-export/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { fileIn } from "../src/tools/paths.js"
import { cleanText } from "../src/tools/result.js"
import {
  BIN,
  type Connected,
  connectHttp,
  connectStdio,
  type HttpProcess,
  httpClient,
  SDK1,
  sandboxEnv,
  serverEnv,
  startHttp,
  startSandbox,
  tempDirs,
  textOf,
  V2_PINNED
} from "./harness.js"

const TOKEN = "s3cret-token-for-tests-0123456789"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>>
const cleanups: Array<() => Promise<unknown>> = []

beforeAll(async () => {
  sandbox = await startSandbox({ taskDurationMs: 0 })
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
  await dirs?.remove()
})

const start = async (
  args: ReadonlyArray<string>,
  extra: Record<string, string> = {}
): Promise<HttpProcess> => {
  dirs = await tempDirs()
  const server = await startHttp(args, serverEnv(dirs, { ...sandboxEnv(sandbox), ...extra }))
  cleanups.push(server.stop)
  return server
}

const initialize = (id = 1) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "attacker", version: "1" }
    }
  })

/** A raw POST to `url` with the given headers (Host included), as a browser or a script would send it. */
const post = (
  url: URL,
  headers: Record<string, string>,
  body: string | Buffer
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers
        }
      },
      (res) => {
        let text = ""
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8")
        })
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }))
      }
    )
    req.on("error", reject)
    req.end(body)
  })

describe("HTTP: who may talk to the server", () => {
  it("refuses to start on a public address without a token, naming the options", async () => {
    dirs = await tempDirs()
    const child = spawn(process.execPath, [BIN, "--http", "--host", "0.0.0.0", "--port", "0"], {
      env: serverEnv(dirs)
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve))
    expect(code).toBe(2)
    expect(stderr).toContain("--token-file")
    expect(stderr).toContain("BOOSTER_MCP_TOKEN")
    expect(stderr).not.toContain("listening on")
  })

  it("answers 401 without the bearer token or with a wrong one, and serves the right one in both eras", async () => {
    const server = await start([], { BOOSTER_MCP_TOKEN: TOKEN })
    const missing = await post(server.url, { host: server.url.host }, initialize())
    expect(missing.status).toBe(401)
    expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/)
    const wrong = await post(
      server.url,
      { host: server.url.host, authorization: `Bearer ${"x".repeat(TOKEN.length)}` },
      initialize()
    )
    expect(wrong.status).toBe(401)
    const prefix = await post(
      server.url,
      { host: server.url.host, authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      initialize()
    )
    expect(prefix.status).toBe(401)
    expect(`${missing.body}${wrong.body}`).not.toContain(TOKEN)
    for (const generation of [SDK1, V2_PINNED]) {
      const client = await httpClient(server.url, generation, { authorization: `Bearer ${TOKEN}` })
      cleanups.push(client.close)
      expect(client.revision).toBe(generation.revision)
      expect((await client.listTools()).tools).toHaveLength(8)
    }
    await expect(
      httpClient(server.url, V2_PINNED, { authorization: "Bearer nope-nope-nope-nope" })
    ).rejects.toThrow()
    expect(server.stderr()).not.toContain(TOKEN)
  })

  it("refuses a rebinding Host and a foreign Origin with 403, on any loopback address", async () => {
    const server = await start(["--host", "127.0.0.2"])
    expect(server.url.hostname).toBe("127.0.0.2")
    const port = server.url.port
    const rebinding = await post(server.url, { host: `attacker.example:${port}` }, initialize())
    expect(rebinding.status).toBe(403)
    const foreign = await post(
      server.url,
      { host: `127.0.0.2:${port}`, origin: "https://attacker.example" },
      initialize()
    )
    expect(foreign.status).toBe(403)
    const local = await post(
      server.url,
      { host: `127.0.0.2:${port}`, origin: `http://localhost:${port}` },
      initialize()
    )
    expect(local.status).toBe(200)
    const modern = await httpClient(server.url, V2_PINNED)
    cleanups.push(modern.close)
    expect((await modern.listTools()).tools).toHaveLength(8)
  })

  it("serves a name given with --allowed-host, as behind a reverse proxy", async () => {
    const server = await start(["--allowed-host", "mcp.example.com"])
    const proxied = await post(
      server.url,
      { host: "mcp.example.com", origin: "https://mcp.example.com" },
      initialize()
    )
    expect(proxied.status).toBe(200)
    const other = await post(server.url, { host: "other.example.com" }, initialize())
    expect(other.status).toBe(403)
  })

  it("answers an oversize body with 413, not a reset, and keeps serving", async () => {
    const server = await start([])
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x20)
    const answer = await post(server.url, { host: server.url.host }, huge)
    expect(answer.status).toBe(413)
    expect(answer.body).toContain("too large")
    const after = await post(server.url, { host: server.url.host }, initialize())
    expect(after.status).toBe(200)
  })

  it("caps the sessions: the least recently used one is closed when another opens", async () => {
    const server = await start(["--max-sessions", "2"])
    const first = await httpClient(server.url, SDK1)
    const second = await httpClient(server.url, SDK1)
    cleanups.push(first.close, second.close)
    await first.alive()
    const third = await httpClient(server.url, SDK1)
    cleanups.push(third.close)
    await expect(second.listTools()).rejects.toThrow(/404|not found/i)
    await expect(first.listTools()).resolves.toBeDefined()
    await expect(third.listTools()).resolves.toBeDefined()
  })
})

describe("stdio: a message split across reads", () => {
  it("decodes a character whose bytes arrive in two chunks", async () => {
    dirs = await tempDirs()
    const child = spawn(process.execPath, [BIN], { env: serverEnv(dirs) })
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM")
        await new Promise((resolve) => child.once("exit", resolve))
      }
    })
    const replies: Array<Record<string, unknown>> = []
    let buffer = ""
    let wake: () => void = () => undefined
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8")
      let newline = buffer.indexOf("\n")
      while (newline !== -1) {
        replies.push(JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>)
        buffer = buffer.slice(newline + 1)
        newline = buffer.indexOf("\n")
      }
      wake()
    })
    const next = async () => {
      while (replies.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      return replies.shift()!
    }
    child.stdin.write(`${initialize()}\n`)
    await next()
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`)
    const call = Buffer.from(
      `${JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: {
          name: "preview_export",
          arguments: { brand: "CAR", posCodes: ["ES100"], customerStatus: ["Panthère"] }
        }
      })}\n`,
      "utf8"
    )
    const inside = call.indexOf(Buffer.from("è", "utf8")) + 1
    child.stdin.write(call.subarray(0, inside))
    await new Promise((resolve) => setTimeout(resolve, 200))
    child.stdin.write(call.subarray(inside))
    const reply = (await next()) as {
      result: { structuredContent: { filter: { customerStatus: Array<string> } } }
    }
    expect(reply.result.structuredContent.filter.customerStatus).toEqual(["Panthère"])
  })
})

/** A task id the hostile API answers 403 for, with a message quoting a URL with user info and signature. */
const FORBIDDEN_ID = "fedcba9876543210fedcba9876543210"

/** What must never reach the assistant: escape and control characters, bidirectional and invisible ones. */
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/

/** A Booster API that answers with hostile task data: a brand naming a path, control characters, a signed URL. */
const hostileApi = async () => {
  const id = "0123456789abcdef0123456789abcdef"
  let port = 0
  const task = () => ({
    asyncTaskId: id,
    type: "crm\u001b[2J\u001b[31m\u001b]52;c;cm0gLXJmIH4K\u0007\u200b\u2066",
    requestDate: "2026-01-01\u0007\u202e",
    status: "COM",
    percentage: 100,
    brand: `..${sep}..${sep}..${sep}escaped`,
    signedDownloadUrl: `http://127.0.0.1:${port}/files/..%2F..%2Fescaped.csv?X-Amz-Signature=deadbeefcafe1234&X-Amz-Expires=300`,
    totalResults: 2
  })
  let fileStatus = 200
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname
    if (req.method === "POST" && path.endsWith("/export")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ asyncTaskId: id }))
    } else if (path === `/tasks/${id}`) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(task()))
    } else if (path === `/tasks/${FORBIDDEN_ID}`) {
      res.writeHead(403, { "content-type": "application/json" }).end(
        JSON.stringify({
          responseStatus: {
            errorCode: "Forbidden",
            message:
              "Not yours\u202e\u200b\u001b]52;c;cm0gLXJmIH4K\u0007, see https://alice:hunter2@files.example/x.csv?X-Amz-Signature=deadbeef#f"
          }
        })
      )
    } else if (path === "/tasks") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([task()]))
    } else if (path.startsWith("/files/")) {
      res
        .writeHead(fileStatus, { "content-type": "text/csv" })
        .end(fileStatus === 200 ? "a,b\n1,2\n" : "denied")
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  port = (server.address() as AddressInfo).port
  return {
    id,
    baseUrl: `http://127.0.0.1:${port}`,
    failDownloads: (status: number) => {
      fileStatus = status
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

describe("a hostile API and a prompt-injected assistant", () => {
  let connected: Connected | undefined
  afterEach(async () => {
    await connected?.close()
    connected = undefined
  })

  /** The hostile API, and booster-mcp over stdio in front of it. */
  const againstHostileApi = async () => {
    const api = await hostileApi()
    cleanups.push(api.close)
    dirs = await tempDirs()
    connected = await connectStdio(
      [],
      serverEnv(dirs, { BOOSTER_BASE_URL: api.baseUrl, BOOSTER_API_KEY: "k" }),
      V2_PINNED
    )
    return { api, client: connected.client }
  }

  it("keeps writes in the export folder, strips control characters and never shows a signed URL", async () => {
    const { api, client } = await againstHostileApi()

    const read = await client.callTool("get_export_task", { asyncTaskId: api.id })
    expect(read.isError).toBeFalsy()
    const listed = await client.callTool("list_export_tasks", {})
    for (const result of [read, listed]) {
      const all = JSON.stringify(result)
      expect(all).not.toMatch(/\\u001b|\\u0007|\\u202e/)
      expect(all).not.toMatch(HIDDEN)
      expect(all).not.toMatch(/52;|cm0gLXJmIH4K/)
      expect(all).not.toContain("deadbeef")
      expect(all).not.toContain("X-Amz-Signature")
    }
    expect(read.structuredContent).toMatchObject({
      type: expect.stringMatching(/^crm/),
      requestDate: "2026-01-01T00:00:00.000Z"
    })
    // the task was not started by this server: each download needs get_export_task's confirmation
    const confirmation = async () => {
      const again = await client.callTool("get_export_task", { asyncTaskId: api.id, waitSeconds: 0 })
      return (again.structuredContent as { downloadConfirmation: string }).downloadConfirmation
    }

    for (const asyncTaskId of ["../../etc/passwd", "/etc/passwd", `${api.id}/../x`]) {
      const refused = await client.callTool("download_export_file", { asyncTaskId })
      expect(refused.isError).toBe(true)
      expect(textOf(refused)).toContain("asyncTaskId: must be a task id")
    }

    api.failDownloads(403)
    const failed = await client.callTool("download_export_file", {
      asyncTaskId: api.id,
      confirmation: await confirmation()
    })
    expect(failed.isError).toBe(true)
    expect(JSON.stringify(failed)).not.toContain("deadbeef")

    api.failDownloads(200)
    const downloaded = await client.callTool("download_export_file", {
      asyncTaskId: api.id,
      confirmation: await confirmation()
    })
    expect(downloaded.isError).toBeFalsy()
    const { path } = downloaded.structuredContent as { path: string }
    expect(dirname(path)).toBe(dirs.exportDir)
    expect(await readFile(path, "utf8")).toBe("a,b\n1,2\n")
    expect(await readdir(dirs.exportDir)).toHaveLength(1)
    expect(await readdir(dirs.root)).not.toContain("escaped")
    expect(await readdir(dirname(dirs.root))).not.toContain("escaped")
    expect(JSON.stringify(downloaded)).not.toContain("deadbeef")
  })

  it("tells the assistant a server error without hidden characters, escape payloads or a URL's credentials", async () => {
    const { client } = await againstHostileApi()
    const refused = await client.callTool("get_export_task", { asyncTaskId: FORBIDDEN_ID })
    expect(refused.isError).toBe(true)
    const all = JSON.stringify(refused)
    expect(textOf(refused)).toContain("Not yours")
    expect(textOf(refused)).toContain("https://files.example/x.csv?<redacted>")
    expect(all).not.toMatch(HIDDEN)
    expect(all).not.toMatch(/52;|cm0gLXJmIH4K|hunter2|alice|deadbeef|X-Amz/)
  })

  it("accepts only plain file names inside the export folder", async () => {
    dirs = await tempDirs()
    await writeFile(join(dirs.root, "marker"), "")
    expect(fileIn(dirs.exportDir, "customer-export-CAR-0123.csv")).toBe(
      join(dirs.exportDir, "customer-export-CAR-0123.csv")
    )
    for (const name of ["..", "../x.csv", "a/b.csv", "a\\b.csv", "/etc/passwd", "C:evil", "x\0.csv", ""]) {
      expect(fileIn(dirs.exportDir, name)).toBeUndefined()
    }
  })

  it("cleans text: escape sequences and control characters out, line breaks kept, URL signatures and user info redacted", () => {
    expect(
      cleanText("a\u001b[31mb\u0007\nc\td https://u:pw@files.example/x.csv?sig=abc#f and http://h/p")
    ).toBe("ab\nc\td https://files.example/x.csv?<redacted> and http://h/p")
  })
})

describe("the endpoint with a token still refuses rebinding", () => {
  it("checks the Host before the token", async () => {
    const server = await start([], { BOOSTER_MCP_TOKEN: TOKEN })
    const answer = await post(
      server.url,
      { host: "attacker.example", authorization: `Bearer ${TOKEN}` },
      initialize()
    )
    expect(answer.status).toBe(403)
    const connectedHttp = await connectHttp(
      [],
      serverEnv(dirs, { ...sandboxEnv(sandbox), BOOSTER_MCP_TOKEN: TOKEN }),
      V2_PINNED,
      {
        authorization: `Bearer ${TOKEN}`
      }
    )
    cleanups.push(connectedHttp.close)
    expect(
      (await connectedHttp.client.callTool("preview_export", { brand: "CAR", posCodes: ["ES100"] })).isError
    ).toBeFalsy()
  })
})
