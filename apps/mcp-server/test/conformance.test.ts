/**
 * The official MCP conformance suite against `booster-mcp --http`: the server scenarios that apply to
 * a server without the suite's fixture tools. The suite needs Node ≥ 22, so it runs under the `node`
 * package's binary (`npx -p node@22`), whatever Node runs the tests.
 */
import { execFile } from "node:child_process"
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type HttpProcess, serverEnv, startHttp, tempDirs } from "./harness.js"

/** The suite's version, pinned so that a new release cannot change what passes. */
const SUITE = "@modelcontextprotocol/conformance@0.1.16"

/** Scenarios for a server with tools but without the suite's fixtures (no logging capability is declared). */
const SCENARIOS = [
  "server-initialize",
  "ping",
  "tools-list",
  "server-sse-multiple-streams",
  "dns-rebinding-protection"
] as const

interface Check {
  readonly id: string
  readonly status: string
  readonly errorMessage?: string
}

let dirs: Awaited<ReturnType<typeof tempDirs>>
let server: HttpProcess
let results: string
const checks = new Map<string, ReadonlyArray<Check>>()

beforeAll(async () => {
  dirs = await tempDirs()
  results = await mkdtemp(join(tmpdir(), "booster-mcp-conformance-"))
  server = await startHttp([], serverEnv(dirs))
  const script =
    'url=$1; out=$2; shift 2; for s; do conformance server --url "$url" --scenario "$s" -o "$out"; done'
  await new Promise<void>((resolve) => {
    execFile(
      "npx",
      [
        "-y",
        "-p",
        "node@22",
        "-p",
        SUITE,
        "--",
        "sh",
        "-c",
        script,
        "sh",
        server.url.href,
        results,
        ...SCENARIOS
      ],
      { env: { ...process.env, FORCE_COLOR: "0" }, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      () => resolve()
    )
  })
  for (const entry of await readdir(results)) {
    const scenario = SCENARIOS.find((name) => entry.startsWith(`server-${name}-`))
    if (scenario === undefined) continue
    checks.set(
      scenario,
      JSON.parse(await readFile(join(results, entry, "checks.json"), "utf8")) as Array<Check>
    )
  }
}, 660_000)

afterAll(async () => {
  await server?.stop()
  await dirs?.remove()
  if (results !== undefined) await rm(results, { recursive: true, force: true })
})

describe(`MCP conformance suite (${SUITE}) over Streamable HTTP`, () => {
  it.each(SCENARIOS)("%s passes", (scenario) => {
    const found = checks.get(scenario)
    expect(found, `no result for ${scenario}`).toBeDefined()
    expect(found!.length).toBeGreaterThan(0)
    expect(found!.filter((check) => check.status !== "SUCCESS")).toEqual([])
  })
})
