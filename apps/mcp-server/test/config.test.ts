/**
 * booster-mcp is configured as `booster` is: an API key in a file only its owner can read
 * (`BOOSTER_API_KEY_FILE`, or a profile's `apiKeyFile`), and the profiles of `booster config set`
 * (`--profile`, `BOOSTER_PROFILE`, the file's default), so that no key has to sit in clear text in an
 * MCP client's configuration file.
 */
import { chmod, mkdir, readdir, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import type { Sandbox } from "@booster-export/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type Connected,
  connectStdio,
  filter,
  serverEnv,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>> | undefined
let server: Connected | undefined

beforeAll(async () => {
  sandbox = await startSandbox({ taskDurationMs: 0 })
})
afterAll(async () => {
  await sandbox.close()
})
afterEach(async () => {
  await server?.close()
  server = undefined
  await dirs?.remove()
  dirs = undefined
})

/** A key file holding the sandbox's key, with `mode`. */
const keyFile = async (mode = 0o600) => {
  const path = join(dirs!.root, "keys", "booster.key")
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, `${sandbox.apiKey}\n`)
  await chmod(path, mode)
  return path
}

/** Writes the profiles file `booster config set` keeps under XDG_CONFIG_HOME. */
const profiles = async (file: unknown) => {
  const path = join(dirs!.root, "config", "booster-export", "profiles.json")
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, JSON.stringify(file), { mode: 0o600 })
}

const connect = async (args: ReadonlyArray<string>, extra: Record<string, string>) => {
  server = await connectStdio(
    args,
    serverEnv(dirs!, { XDG_CONFIG_HOME: join(dirs!.root, "config"), ...extra })
  )
  return server.client
}

/** API requests of the sandbox since `from` (its request log's length). */
const apiRequests = (from: number) =>
  sandbox
    .requests()
    .slice(from)
    .filter((request) => request.origin === "api")

describe("credentials and profiles", () => {
  it("sends the key of BOOSTER_API_KEY_FILE, with no key in the environment", async () => {
    dirs = await tempDirs()
    const client = await connect([], {
      BOOSTER_BASE_URL: sandbox.baseUrl,
      BOOSTER_API_KEY_FILE: await keyFile()
    })
    const from = sandbox.requests().length
    const listed = await client.callTool("list_export_tasks", {})
    expect(listed.isError, textOf(listed)).toBeFalsy()
    expect(apiRequests(from).length).toBeGreaterThan(0)
    expect(apiRequests(from).every((request) => request.carriedCredentials)).toBe(true)
    expect(JSON.stringify(listed)).not.toContain(sandbox.apiKey)
  })

  it("names the key file when the API refuses its key, never the key", async () => {
    dirs = await tempDirs()
    const path = join(dirs.root, "wrong.key")
    await writeFile(path, "not-the-sandbox-key\n", { mode: 0o600 })
    const client = await connect([], { BOOSTER_BASE_URL: sandbox.baseUrl, BOOSTER_API_KEY_FILE: path })
    const refused = await client.callTool("list_export_tasks", {})
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("HTTP 401")
    expect(textOf(refused)).toContain("BOOSTER_API_KEY_FILE")
    expect(JSON.stringify(refused)).not.toContain("not-the-sandbox-key")
  })

  it("refuses a key file other users can read, naming it and the fix, and sends nothing", async () => {
    dirs = await tempDirs()
    const path = await keyFile(0o644)
    const client = await connect([], { BOOSTER_BASE_URL: sandbox.baseUrl, BOOSTER_API_KEY_FILE: path })
    const from = sandbox.requests().length
    const refused = await client.callTool("list_export_tasks", {})
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain(`${path}) can be read or written by other users (mode 0644)`)
    expect(textOf(refused)).toContain(`chmod 600 ${path}`)
    expect(JSON.stringify(refused)).not.toContain(sandbox.apiKey)
    expect(apiRequests(from)).toEqual([])
    expect(server!.stderr()).not.toContain(sandbox.apiKey)
  })

  it("uses the profile named by --profile or BOOSTER_PROFILE: its API, key file and export folder", async () => {
    dirs = await tempDirs()
    const exports = join(dirs.root, "profile-exports")
    await profiles({
      default: "elsewhere",
      profiles: {
        elsewhere: { baseUrl: "https://booster.invalid/api" },
        sandbox: { baseUrl: sandbox.baseUrl, apiKeyFile: await keyFile(), exportDir: exports }
      }
    })
    // BOOSTER_EXPORT_DIR would come before the profile's folder
    const { BOOSTER_EXPORT_DIR: _unset, ...env } = serverEnv(dirs, {
      XDG_CONFIG_HOME: join(dirs.root, "config")
    })
    for (const [args, extra] of [
      [["--profile", "sandbox"], {}],
      [[], { BOOSTER_PROFILE: "sandbox" }]
    ] as const) {
      server = await connectStdio(args, { ...env, ...extra })
      const started = await startWithConsent(server.client, filter({ brand: `PR${args.length}` }))
      expect(started.isError, textOf(started)).toBeFalsy()
      const { asyncTaskId } = started.structuredContent as { asyncTaskId: string }
      await server.client.callTool("get_export_task", { asyncTaskId, waitSeconds: 5 })
      const downloaded = await server.client.callTool("download_export_file", { asyncTaskId })
      expect(downloaded.isError, textOf(downloaded)).toBeFalsy()
      expect(dirname((downloaded.structuredContent as { path: string }).path)).toBe(exports)
      await server.close()
      server = undefined
    }
    expect(await readdir(exports)).toHaveLength(2)
  })

  it("refuses an unknown profile, and a profile's journal URL holding a password, naming the setting only", async () => {
    dirs = await tempDirs()
    await profiles({
      profiles: { team: { baseUrl: sandbox.baseUrl, journalUrl: "postgres://ada:s3cret@db.example/booster" } }
    })
    for (const [extra, expected] of [
      [{ BOOSTER_PROFILE: "nope" }, "(BOOSTER_PROFILE): There is no profile named nope"],
      [{ BOOSTER_PROFILE: "team" }, "(profile team journalUrl): profile team journalUrl holds a password"]
    ] as const) {
      const client = await connect([], extra)
      for (const tool of ["preview_export", "list_export_tasks"]) {
        const refused = await client.callTool(tool, filter())
        expect(refused.isError).toBe(true)
        expect(textOf(refused)).toContain(expected)
        expect(JSON.stringify(refused)).not.toContain("s3cret")
      }
      await server!.close()
      server = undefined
    }
  })
})
