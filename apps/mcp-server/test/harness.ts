import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Sandbox } from "@booster-export/sandbox"
import {
  type CallToolResult as CallToolResultV2,
  Client as ClientV2,
  StreamableHTTPClientTransport as HttpTransportV2,
  type InputRequiredResult
} from "@modelcontextprotocol/client"
import { StdioClientTransport as StdioTransportV2 } from "@modelcontextprotocol/client/stdio"
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport as StdioTransportV1 } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport as HttpTransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { ElicitRequestSchema as ElicitRequestSchemaV1 } from "@modelcontextprotocol/sdk/types.js"
import type { CallToolResult, Tool } from "@modelcontextprotocol/server"

/** The bundled binary, as a user runs it. */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "booster-mcp.cjs")

/** A filter with a personal value in it, to check that it never comes back. */
export const PERSONAL_EMAIL = "jane.doe.personal@example.com"

/** A valid filter. */
export const filter = (extra: Record<string, unknown> = {}) => ({
  brand: "CAR",
  posCodes: ["ES100", "IT200"],
  locationCountryIds: ["it"],
  ...extra
})

/** Fresh, empty state and export directories. */
export const tempDirs = async () => {
  const root = await mkdtemp(join(tmpdir(), "booster-mcp-test-"))
  return {
    root,
    stateHome: join(root, "state"),
    dataHome: join(root, "data"),
    exportDir: join(root, "exports"),
    journal: join(root, "state", "booster-export", "journal.jsonl"),
    remove: () => rm(root, { recursive: true, force: true })
  }
}

/** The journal's lines, parsed. */
export const readJournal = async (path: string): Promise<ReadonlyArray<Record<string, unknown>>> => {
  const text = await readFile(path, "utf8").catch(() => "")
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

/** The environment of a server process: only what is given, plus PATH and HOME. */
export const serverEnv = (
  dirs: Awaited<ReturnType<typeof tempDirs>>,
  extra: Record<string, string | undefined> = {}
): Record<string, string> => {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: dirs.root,
    XDG_STATE_HOME: dirs.stateHome,
    XDG_DATA_HOME: dirs.dataHome,
    BOOSTER_EXPORT_DIR: dirs.exportDir
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value
  return env
}

/**
 * A client generation: which official SDK client connects, and which protocol revision it speaks.
 * The server must serve them all alike.
 */
export interface Generation {
  /** A name for test titles. */
  readonly name: string
  /** The protocol revision the connection must end up on. */
  readonly revision: "2025-06-18" | "2025-11-25" | "2026-07-28"
  readonly sdk: "v1" | "v2"
  /** The SDK v2 client's `versionNegotiation` mode. */
  readonly negotiation?: "auto" | "pin"
  /** The protocol revisions the client offers (SDK v2 only). */
  readonly offers?: ReadonlyArray<string>
}

/** The SDK 1.x client (2025-11-25), kept to prove that 2025-era clients keep working. */
export const SDK1: Generation = { name: "SDK 1.x client, 2025-11-25", revision: "2025-11-25", sdk: "v1" }
/** The SDK v2 client speaking the 2025 era at an older revision. */
export const V2_LEGACY: Generation = {
  name: "SDK v2 client, legacy 2025-06-18",
  revision: "2025-06-18",
  sdk: "v2",
  offers: ["2025-06-18"]
}
/** The SDK v2 client pinned to the 2026-07-28 revision. */
export const V2_PINNED: Generation = {
  name: "SDK v2 client, pinned 2026-07-28",
  revision: "2026-07-28",
  sdk: "v2",
  negotiation: "pin"
}
/** The SDK v2 client negotiating the era (`auto`): the server offers 2026-07-28. */
export const V2_AUTO: Generation = {
  name: "SDK v2 client, auto",
  revision: "2026-07-28",
  sdk: "v2",
  negotiation: "auto"
}

/** The generations every protocol test runs with. */
export const GENERATIONS: ReadonlyArray<Generation> = [SDK1, V2_LEGACY, V2_PINNED]

/** What a test does with a client, whatever its generation. */
export interface McpClient {
  /** The protocol revision negotiated. */
  readonly revision: string | undefined
  readonly listTools: () => Promise<{ tools: Array<Tool> }>
  readonly callTool: (
    name: string,
    args: Record<string, unknown>,
    options?: {
      readonly onprogress?: (progress: {
        progress: number
        total?: number | undefined
        message?: string | undefined
      }) => void
      readonly signal?: AbortSignal
      readonly timeout?: number
    }
  ) => Promise<CallToolResult>
  /** Checks that the server still answers: `ping` on the 2025 era, `tools/list` on 2026-07-28 (which has no ping). */
  readonly alive: () => Promise<void>
  readonly close: () => Promise<void>
}

type AnyTransport = ConstructorParameters<typeof StdioTransportV1>[0]

const v2Client = (generation: Generation, asking = false) =>
  new ClientV2(
    { name: "booster-mcp-test", version: "1.0.0" },
    {
      ...(generation.negotiation === "auto" ? { versionNegotiation: { mode: "auto" as const } } : {}),
      ...(generation.negotiation === "pin"
        ? { versionNegotiation: { mode: { pin: generation.revision } } }
        : {}),
      ...(generation.offers !== undefined ? { supportedProtocolVersions: [...generation.offers] } : {}),
      ...(asking ? { capabilities: { elicitation: { form: {} } } } : {})
    }
  )

/** The SDK 1.x stdio transport, recording the revision the client negotiated. */
class RecordingStdioV1 extends StdioTransportV1 {
  revision: string | undefined
  setProtocolVersion(version: string): void {
    this.revision = version
  }
}

const wrapV1 = (client: ClientV1, transport: { readonly revision?: string | undefined }): McpClient => ({
  get revision() {
    return transport.revision
  },
  listTools: async () => ({ tools: (await client.listTools()).tools as Array<Tool> }),
  callTool: async (name, args, options) =>
    (await client.callTool({ name, arguments: args }, undefined, {
      ...(options?.onprogress !== undefined ? { onprogress: options.onprogress } : {}),
      ...(options?.signal !== undefined ? { signal: options.signal } : {}),
      ...(options?.timeout !== undefined ? { timeout: options.timeout } : {})
    })) as CallToolResult,
  alive: async () => {
    await client.ping()
  },
  close: () => client.close()
})

const wrapV2 = (client: ClientV2): McpClient => ({
  get revision() {
    return client.getNegotiatedProtocolVersion()
  },
  listTools: async () => ({ tools: (await client.listTools()).tools }),
  callTool: (name, args, options) =>
    client.callTool(
      { name, arguments: args },
      {
        ...(options?.onprogress !== undefined ? { onprogress: options.onprogress } : {}),
        ...(options?.signal !== undefined ? { signal: options.signal } : {}),
        ...(options?.timeout !== undefined ? { timeout: options.timeout } : {})
      }
    ),
  alive: async () => {
    if (client.getProtocolEra() === "modern") await client.listTools()
    else await client.ping()
  },
  close: () => client.close()
})

/** A server process connected to an official SDK client. */
export interface Connected {
  readonly client: McpClient
  readonly stderr: () => string
  readonly close: () => Promise<void>
}

/**
 * Spawns `bin` with `args` and `env` and connects a client of `generation` over stdio; with `answer`,
 * the client declares form elicitation and answers every question with it, keeping the messages in
 * `asked`.
 */
const connectProcess = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  generation: Generation,
  bin: string,
  answer?: Answer
): Promise<Connected & { readonly asked: Array<string> }> => {
  const params: AnyTransport = { command: process.execPath, args: [bin, ...args], env, stderr: "pipe" }
  const asked: Array<string> = []
  const ask =
    answer === undefined
      ? undefined
      : (message: string) => {
          asked.push(message)
          return { ...answer(message) }
        }
  let stderr = ""
  const onStderr = (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  }
  if (generation.sdk === "v1") {
    const transport = new RecordingStdioV1(params)
    transport.stderr?.on("data", onStderr)
    const client = new ClientV1(
      { name: "booster-mcp-test", version: "1.0.0" },
      ask !== undefined ? { capabilities: { elicitation: { form: {} } } } : undefined
    )
    if (ask !== undefined) {
      client.setRequestHandler(ElicitRequestSchemaV1, async (request) => ask(request.params.message))
    }
    await client.connect(transport)
    return { client: wrapV1(client, transport), stderr: () => stderr, close: () => client.close(), asked }
  }
  const transport = new StdioTransportV2(params)
  transport.stderr?.on("data", onStderr)
  const client = v2Client(generation, ask !== undefined)
  if (ask !== undefined) {
    client.setRequestHandler("elicitation/create", async (request) => ask(request.params.message))
  }
  await client.connect(transport)
  return { client: wrapV2(client), stderr: () => stderr, close: () => client.close(), asked }
}

/** Spawns the binary (`bin`, default {@link BIN}) with `args` and `env` and connects a client of `generation` over stdio. */
export const connectStdio = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  generation: Generation = SDK1,
  bin: string = BIN
): Promise<Connected> => connectProcess(args, env, generation, bin)

/** A client of `generation` connected over Streamable HTTP to `url`. */
export const httpClient = async (
  url: URL,
  generation: Generation = SDK1,
  headers: Record<string, string> = {}
): Promise<McpClient> => {
  if (generation.sdk === "v1") {
    const client = new ClientV1({ name: "booster-mcp-test", version: "1.0.0" })
    const transport = new HttpTransportV1(url, { requestInit: { headers } })
    await client.connect(transport)
    return wrapV1(client, {
      get revision() {
        return transport.protocolVersion
      }
    })
  }
  const client = v2Client(generation)
  await client.connect(new HttpTransportV2(url, { requestInit: { headers } }))
  return wrapV2(client)
}

/** A server process serving Streamable HTTP. */
export interface HttpProcess {
  readonly url: URL
  readonly process: ChildProcessWithoutNullStreams
  readonly stderr: () => string
  /** Stops the process (SIGTERM) and waits for it to exit. */
  readonly stop: () => Promise<void>
}

/**
 * Spawns the binary with `--http --port 0` and `args`, and waits until it listens (it says where at
 * `BOOSTER_LOG=info`, the level used unless `env` names one).
 */
export const startHttp = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>
): Promise<HttpProcess> => {
  const child = spawn(process.execPath, [BIN, "--http", "--port", "0", ...args], {
    env: { BOOSTER_LOG: "info", ...env }
  })
  let stderr = ""
  let stdout = ""
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8")
  })
  const url = await new Promise<URL>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match !== null) resolve(new URL(match[1]!))
    })
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${stderr}`)))
  })
  return {
    url,
    process: child,
    stderr: () => `${stderr}${stdout === "" ? "" : `\n[stdout] ${stdout}`}`,
    stop: async () => {
      if (child.exitCode !== null) return
      child.kill("SIGTERM")
      await new Promise((resolve) => child.once("exit", resolve))
    }
  }
}

/** Spawns the binary with `--http --port 0` and connects a client of `generation` over Streamable HTTP. */
export const connectHttp = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  generation: Generation = SDK1,
  headers: Record<string, string> = {}
): Promise<Connected & HttpProcess> => {
  const server = await startHttp(args, env)
  const client = await httpClient(server.url, generation, headers).catch(async (error: unknown) => {
    await server.stop()
    throw error
  })
  return {
    ...server,
    client,
    close: async () => {
      await client.close()
      await server.stop()
    }
  }
}

/** A sandbox for one test file: fast tasks, ephemeral ports. */
export const startSandbox = (options: Sandbox.SandboxOptions = {}) =>
  Sandbox.start({ customers: 2_000, taskDurationMs: 3_000, ...options })

/** The environment pointing the server at a sandbox. */
export const sandboxEnv = (sandbox: Sandbox.RunningSandbox) => ({
  BOOSTER_BASE_URL: sandbox.baseUrl,
  BOOSTER_API_KEY: sandbox.apiKey
})

/** The text of a tool result. */
export const textOf = (result: unknown): string =>
  ((result as CallToolResult).content ?? []).map((part) => (part.type === "text" ? part.text : "")).join("\n")

/** A tool result, typed. */
export const asResult = (result: unknown): CallToolResult => result as CallToolResult

/**
 * Starts an export as a careful assistant does: preview first, then start with the preview's
 * `confirmation` (when the server gives one).
 */
export const startWithConsent = async (
  client: McpClient,
  args: Record<string, unknown>,
  options: { readonly timeout?: number } = {}
): Promise<CallToolResult> => {
  const { force: _force, purpose: _purpose, ...previewed } = args
  const preview = await client.callTool("preview_export", previewed)
  const confirmation = (preview.structuredContent as { confirmation?: string } | undefined)?.confirmation
  return client.callTool(
    "start_export",
    { ...args, ...(confirmation !== undefined ? { confirmation } : {}) },
    options.timeout !== undefined ? { timeout: options.timeout } : {}
  )
}

/**
 * One round of a `start_export` on the 2026-07-28 revision driven by hand (a client made
 * with `inputRequired: { autoFulfill: false }`): the result, or the input-required question; `retry`
 * carries the answer and the request state back.
 */
export const startRound = (
  client: ClientV2,
  args: Record<string, unknown>,
  retry: { readonly inputResponses?: Record<string, unknown>; readonly requestState?: string } = {}
) =>
  client.request(
    { method: "tools/call", params: { name: "start_export", arguments: args, ...retry } },
    { allowInputRequired: true }
  ) as Promise<CallToolResultV2 | InputRequiredResult>

/** What a client that can be asked answers a question (form elicitation), given its message. */
export type Answer = (message: string) => {
  readonly action: "accept" | "decline" | "cancel"
  readonly content?: Record<string, string | number | boolean>
}

/**
 * Spawns the binary and connects a client of `generation` over stdio that declares form elicitation
 * and answers every question with `answer` (a 2025-era client through `elicitation/create`; a
 * 2026-07-28 one through the SDK's input-required round trips); `asked` holds the questions' messages.
 */
export const connectAsking = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  generation: Generation,
  answer: Answer
): Promise<Connected & { readonly asked: Array<string> }> =>
  connectProcess(args, env, generation, BIN, answer)

/**
 * An export started elsewhere: a direct `POST` to the sandbox, as `booster` or another program sends
 * it, with nothing recorded in this server's journal, to `/{route}/{brand}/export` (default the
 * customer export's). Returns its task id.
 */
export const startedElsewhere = async (
  sandbox: Sandbox.RunningSandbox,
  body: Record<string, unknown>,
  route = "customer"
): Promise<string> => {
  const response = await fetch(
    `${sandbox.baseUrl}/${route}/${encodeURIComponent(String(body.brand))}/export`,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        authorization: `Bearer ${sandbox.apiKey}`
      },
      body: JSON.stringify({ ...body, downloadRequestId: crypto.randomUUID() })
    }
  )
  const json = (await response.json()) as { asyncTaskId?: string }
  if (!response.ok || typeof json.asyncTaskId !== "string") {
    throw new Error(`the sandbox refused the export: ${response.status}`)
  }
  return json.asyncTaskId
}
