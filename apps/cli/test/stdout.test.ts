import { spawn } from "node:child_process"
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { binary, booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

// `--output -`: the export's file on standard output, piped to a file as a shell redirection does.

let sandbox: Sandbox.RunningSandbox

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({ customers: 3000, records: { stock: 2000 }, taskDurationMs: 300 })
}, 120_000)
afterAll(() => sandbox?.close())
afterEach(() => sandbox.faults.clear())

type Home = ReturnType<typeof freshHome>

const apiEnv = (home: Home) => ({
  ...home.env,
  BOOSTER_BASE_URL: sandbox.baseUrl,
  BOOSTER_API_KEY: sandbox.apiKey
})

const BASE_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith("BOOSTER_") && key !== "NO_COLOR")
)

/** Runs `booster args` with stdout redirected to the file `out` (`booster … > out`); answers the exit code and stderr. */
const boosterTo = (out: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const fd = openSync(out, "w")
    const child = spawn(process.execPath, [binary, ...args], {
      env: { ...BASE_ENV, ...env },
      stdio: ["ignore", fd, "pipe"]
    })
    closeSync(fd)
    let stderr = ""
    child.stderr?.on("data", (chunk) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stderr }))
  })

/** The file of a task exactly as the sandbox's storage serves it. */
const sandboxFile = async (asyncTaskId: string): Promise<Buffer> => {
  const task = (await (
    await fetch(`${sandbox.baseUrl}/tasks/${asyncTaskId}`, { headers: { "X-Api-Key": sandbox.apiKey } })
  ).json()) as { signedDownloadUrl: string }
  return Buffer.from(await (await fetch(task.signedDownloadUrl)).arrayBuffer())
}

const journalOf = (home: Home) =>
  readFileSync(join(home.env.XDG_STATE_HOME, "booster-export", "journal.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

/** What is left in the folder of private copies on their way to stdout. */
const leftovers = (home: Home) => {
  const folder = join(home.env.XDG_STATE_HOME, "booster-export", "stdout")
  return existsSync(folder) ? readdirSync(folder) : []
}

const exportPosts = () =>
  sandbox.requests().filter((r) => r.method === "POST" && /\/export$/.test(r.path)).length

/** `booster export --brand CAR --pos-code POS --yes --output - > out` against the sandbox. */
const exportTo = (out: string, home: Home, pos: string) =>
  boosterTo(out, ["export", "--brand", "CAR", "--pos-code", pos, "--yes", "--output", "-"], apiEnv(home))

const startedTaskId = (stderr: string) => /Started task (\w+)/.exec(stderr)?.[1] ?? ""

describe("booster export --output -", () => {
  it("writes exactly the sandbox's file to stdout, nothing else, progress on stderr; no file is kept", async () => {
    const home = freshHome()
    const out = join(home.root, "piped.csv")
    const result = await exportTo(out, home, "IT100")
    expect(result.code).toBe(0)
    const id = startedTaskId(result.stderr)
    expect(id).not.toBe("")
    const piped = readFileSync(out)
    expect(piped.length).toBeGreaterThan(1000)
    expect(piped.equals(await sandboxFile(id))).toBe(true)
    expect(result.stderr).toMatch(/Wrote [\d.]+ [KM]?B to standard output \(sha256 [0-9a-f]{12}/)
    // the same task downloaded to a file is the same bytes
    const kept = join(home.root, "kept.csv")
    const download = await booster(["tasks", "download", id, "--output", kept], { env: apiEnv(home) })
    expect(download.code).toBe(0)
    expect(readFileSync(kept).equals(piped)).toBe(true)
    // no file named "-", no private copy left behind
    expect(existsSync(join(home.root, "-"))).toBe(false)
    expect(leftovers(home)).toEqual([])
    // delivered to stdout: in the journal, never in the files retention keeps
    const delivered = journalOf(home).filter((entry) => entry.event === "delivered")
    expect(delivered).toHaveLength(1)
    expect(delivered[0]).toMatchObject({ destination: "stdout", asyncTaskId: id, bytes: piped.length })
    expect(delivered[0]).not.toHaveProperty("file")
    const files = await booster(["files", "list", "--json"], { env: home.env })
    expect((JSON.parse(files.stdout) as Array<{ path: string }>).map((file) => file.path)).toEqual([kept])
    const audit = await booster(["audit", "export", "--json"], { env: home.env })
    expect(audit.stdout).toContain('"delivered"')
  })

  it("works for every other kind and from tasks wait and tasks download", async () => {
    const home = freshHome()
    const stock = join(home.root, "stock.csv")
    const exported = await boosterTo(
      stock,
      ["export", "stock", "--brand", "CAR", "--pos-code", "ES100", "--yes", "--output", "-"],
      apiEnv(home)
    )
    expect(exported.code).toBe(0)
    const id = startedTaskId(exported.stderr)
    const file = await sandboxFile(id)
    expect(readFileSync(stock).equals(file)).toBe(true)
    const waited = join(home.root, "waited.csv")
    expect((await boosterTo(waited, ["tasks", "wait", id, "--output", "-"], apiEnv(home))).code).toBe(0)
    expect(readFileSync(waited).equals(file)).toBe(true)
    const downloaded = join(home.root, "downloaded.csv")
    expect((await boosterTo(downloaded, ["tasks", "download", id, "-o", "-"], apiEnv(home))).code).toBe(0)
    expect(readFileSync(downloaded).equals(file)).toBe(true)
    expect(journalOf(home).filter((entry) => entry.event === "delivered")).toHaveLength(3)
    expect(leftovers(home)).toEqual([])
  })

  it("a cut download retried: only the verified whole file reaches stdout", async () => {
    const home = freshHome()
    sandbox.faults.add({ route: "download", fault: { kind: "truncate" } })
    const out = join(home.root, "piped.csv")
    const result = await exportTo(out, home, "DE100")
    expect(result.code).toBe(0)
    expect(readFileSync(out).equals(await sandboxFile(startedTaskId(result.stderr)))).toBe(true)
    expect(leftovers(home)).toEqual([])
  })

  it("writes nothing to stdout and leaves no private copy when the download fails verification", async () => {
    const home = freshHome()
    sandbox.faults.add({ route: "download", fault: { kind: "truncate" }, times: Number.POSITIVE_INFINITY })
    const out = join(home.root, "piped.csv")
    const result = await exportTo(out, home, "FR100")
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/cut after \d+ bytes|announced/)
    expect(readFileSync(out).length).toBe(0)
    expect(leftovers(home)).toEqual([])
    expect(journalOf(home).filter((entry) => entry.event === "delivered")).toEqual([])
  })

  it("stops when the reader closes the pipe early (exit 1, said on stderr), recording an incomplete delivery", async () => {
    const home = freshHome()
    // a file many times a pipe's buffer, so that the reader leaves while most of it is unsent
    const large = await Sandbox.start({ customers: 300_000, taskDurationMs: 0 })
    try {
      const child = spawn(
        process.execPath,
        [binary, "export", "--brand", "CAR", "--pos-code", "ES100", "--yes", "--output", "-"],
        {
          env: { ...BASE_ENV, ...home.env, BOOSTER_BASE_URL: large.baseUrl, BOOSTER_API_KEY: large.apiKey },
          stdio: ["ignore", "pipe", "pipe"]
        }
      )
      let stderr = ""
      child.stderr.on("data", (chunk) => {
        stderr += chunk
      })
      // a reader that takes the first chunk and goes away, as `| head -1` does
      child.stdout.once("data", () => child.stdout.destroy())
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
      expect(code).toBe(1)
      expect(stderr).toMatch(/The reader of standard output closed it after .* of /)
      expect(leftovers(home)).toEqual([])
      const delivered = journalOf(home).filter((entry) => entry.event === "delivered")
      expect(delivered).toHaveLength(1)
      expect(delivered[0]).toMatchObject({ destination: "stdout", status: "incomplete" })
    } finally {
      await large.close()
    }
  })

  it("removes the private copy on Ctrl-C, and one left by a killed process on the next run", async () => {
    const home = freshHome()
    // a copy left by a process that no longer runs (its pid is past any the kernel hands out)
    const stale = join(home.env.XDG_STATE_HOME, "booster-export", "stdout", "4194305-abcdef")
    mkdirSync(stale, { recursive: true })
    writeFileSync(join(stale, "export"), "left behind\n")
    sandbox.faults.add({ route: "download", fault: { kind: "delay", ms: 20_000 } })
    const out = join(home.root, "piped.csv")
    const fd = openSync(out, "w")
    const child = spawn(
      process.execPath,
      [binary, "export", "--brand", "CAR", "--pos-code", "IT200", "--yes", "--output", "-"],
      { env: { ...BASE_ENV, ...apiEnv(home) }, stdio: ["ignore", fd, "pipe"] }
    )
    closeSync(fd)
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve))
    // the download has begun: the private folder of this process exists, the stale one is gone
    const deadline = Date.now() + 20_000
    while (!leftovers(home).some((name) => name.startsWith(`${child.pid}-`))) {
      if (Date.now() > deadline) throw new Error("the download never began")
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(existsSync(stale)).toBe(false)
    child.kill("SIGINT")
    // the storage holds its answer for 20 s: Ctrl-C does not wait for it
    const stopped = await Promise.race([
      closed,
      new Promise<"waiting">((resolve) => setTimeout(() => resolve("waiting"), 10_000))
    ])
    expect(stopped).toBe(130)
    expect(leftovers(home)).toEqual([])
    expect(readFileSync(out).length).toBe(0)
  })

  it("refuses --output - with --json (exit 2, naming both), sending nothing", async () => {
    const home = freshHome()
    const before = exportPosts()
    const refused = await booster(
      ["export", "--brand", "CAR", "--pos-code", "IT100", "--yes", "--json", "--output", "-"],
      { env: apiEnv(home) }
    )
    expect(refused.code).toBe(2)
    expect(refused.stdout).toBe("")
    expect(parseJson(refused.stderr)).toMatchObject({
      _tag: "UsageError",
      message: expect.stringMatching(/--output - and --json/)
    })
    const tasks = await booster(["tasks", "download", "0".repeat(32), "--output", "-", "--json"], {
      env: apiEnv(home)
    })
    expect(tasks.code).toBe(2)
    expect(exportPosts()).toBe(before)
    expect(sandbox.requests().some((r) => r.path.includes("0".repeat(32)))).toBe(false)
  })
})
