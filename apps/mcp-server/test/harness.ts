import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Sandbox } from "@booster-export/sandbox"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"

/** The bundled binary, as a user runs it. */
export const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "booster-mcp.mjs")

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

/** A server process connected to the SDK's own client over stdio. */
export interface Connected {
  readonly client: Client
  readonly stderr: () => string
  readonly close: () => Promise<void>
}

/** Spawns the binary with `args` and `env` and connects an SDK client over stdio. */
export const connectStdio = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>
): Promise<Connected> => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, ...args],
    env,
    stderr: "pipe"
  })
  let stderr = ""
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const client = new Client({ name: "booster-mcp-test", version: "1.0.0" })
  await client.connect(transport)
  return { client, stderr: () => stderr, close: () => client.close() }
}

/** Spawns the binary with `--http --port 0` and connects an SDK client over Streamable HTTP. */
export const connectHttp = async (
  args: ReadonlyArray<string>,
  env: Record<string, string>
): Promise<Connected & { readonly url: URL; readonly process: ChildProcessWithoutNullStreams }> => {
  const child = spawn(process.execPath, [BIN, "--http", "--port", "0", ...args], { env })
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
  const client = new Client({ name: "booster-mcp-test", version: "1.0.0" })
  await client.connect(new StreamableHTTPClientTransport(url))
  return {
    client,
    url,
    process: child,
    stderr: () => `${stderr}${stdout === "" ? "" : `\n[stdout] ${stdout}`}`,
    close: async () => {
      await client.close()
      child.kill("SIGTERM")
      await new Promise((resolve) => child.once("exit", resolve))
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
  client: Client,
  args: Record<string, unknown>,
  options: { readonly timeout?: number } = {}
): Promise<CallToolResult> => {
  const { force: _force, purpose: _purpose, ...previewed } = args
  const preview = asResult(await client.callTool({ name: "preview_customer_export", arguments: previewed }))
  const confirmation = (preview.structuredContent as { confirmation?: string } | undefined)?.confirmation
  return asResult(
    await client.callTool(
      {
        name: "start_customer_export",
        arguments: { ...args, ...(confirmation !== undefined ? { confirmation } : {}) }
      },
      undefined,
      options.timeout !== undefined ? { timeout: options.timeout } : undefined
    )
  )
}
