import { chmodSync, mkdirSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { ApiMetadata, ExportKind } from "@booster-export/core"
import { Faults, Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { expectNoControl } from "./foreign.js"
import { booster, ensureBuilt, freshHome, parseJson, withPeakRss } from "./helpers.js"

let healthy: Sandbox.RunningSandbox
let skewed: Sandbox.RunningSandbox
let drifted: Sandbox.RunningSandbox

/** core's document with a request field added, one removed and one retyped. */
const driftedDocument = () => {
  const doc = JSON.parse(JSON.stringify(ApiMetadata.document())) as {
    types: Array<{ name: string; properties: Array<Record<string, unknown>> }>
  }
  const base = doc.types.find((type) => type.name === "SearchCustomer")!
  base.properties.push({ name: "LoyaltyTier", type: "String" })
  base.properties = base.properties.filter((p) => p.name !== "HasSapCrmError")
  Object.assign(base.properties.find((p) => p.name === "BirthdateMonths")!, {
    type: "String",
    genericArgs: null
  })
  return doc
}

beforeAll(async () => {
  ensureBuilt()
  ;[healthy, skewed, drifted] = await Promise.all([
    Sandbox.start({ customers: 50 }),
    Sandbox.start({ customers: 50, clockSkewMs: 5 * 60_000 }),
    Sandbox.start({ customers: 50, metadata: driftedDocument() })
  ])
}, 120_000)
afterAll(() => Promise.all([healthy?.close(), skewed?.close(), drifted?.close()]))

type Check = { name: string; status: string; summary: string; hint?: string }
const checksOf = (stdout: string) =>
  Object.fromEntries((parseJson(stdout).checks as Array<Check>).map((check) => [check.name, check]))

/** A home whose API key is in a 0600 file, as `booster config set --api-key-file` would have it. */
const homeWithKeyFile = (key: string, baseUrl: string) => {
  const home = freshHome()
  const keyFile = join(home.root, "api.key")
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 })
  return { home, keyFile, env: { ...home.env, BOOSTER_BASE_URL: baseUrl, BOOSTER_API_KEY_FILE: keyFile } }
}

const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

describe("booster doctor", () => {
  it("passes every check against a healthy sandbox, with a stable --json shape (exit 0)", async () => {
    const { env, keyFile } = homeWithKeyFile(healthy.apiKey, healthy.baseUrl)
    const result = await booster(["doctor", "--json"], { env })
    expect(result.code).toBe(0)
    const report = parseJson(result.stdout)
    expect(report.ok).toBe(true)
    const checks = checksOf(result.stdout)
    expect(Object.keys(checks)).toEqual([
      "config",
      "credentials",
      "base-url",
      "api",
      "clock",
      "journal",
      "export-dir",
      "fingerprint-key"
    ])
    expect(Object.values(checks).map((check) => check.status)).toEqual(Array(8).fill("pass"))
    expect(checks.credentials!.summary).toContain(`${keyFile} (mode 0600)`)
    expect(checks.api!.summary).toContain("credentials accepted")
    expect(result.stdout).not.toContain(healthy.apiKey)
    const human = await booster(["doctor"], { env })
    expect(human.code).toBe(0)
    expect(human.stdout.split("\n").filter((line) => line.startsWith("✔ ")).length).toBe(8)
    expect(human.stdout).not.toContain("✘")
  })

  it("exits 3 when the API refuses the key, and never shows the key", async () => {
    const { env } = homeWithKeyFile("not-the-key-0123456789", healthy.baseUrl)
    const result = await booster(["doctor", "--json"], { env })
    expect(result.code).toBe(3)
    const checks = checksOf(result.stdout)
    expect(checks.api).toMatchObject({ status: "fail" })
    expect(checks.api!.summary).toContain("refused the credentials")
    expect(checks.clock!.status).toBe("pass")
    expect(parseJson(result.stderr)).toMatchObject({
      _tag: "DoctorError",
      reason: "auth-refused",
      failed: ["api"]
    })
    expect(`${result.stdout}${result.stderr}`).not.toContain("not-the-key-0123456789")
  })

  it("exits 1 when the API cannot be reached", async () => {
    const port = await closedPort()
    const { env } = homeWithKeyFile(healthy.apiKey, `http://127.0.0.1:${port}`)
    const result = await booster(["doctor"], { env })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/✘ api\s+The API was not reached/)
    expect(result.stdout).toMatch(/✔ credentials/)
  })

  it("fails the clock check when the server's Date is 5 minutes ahead", async () => {
    const { env } = homeWithKeyFile(skewed.apiKey, skewed.baseUrl)
    const result = await booster(["doctor", "--json"], { env })
    expect(result.code).toBe(1)
    const checks = checksOf(result.stdout)
    expect(checks.api!.status).toBe("pass")
    expect(checks.clock).toMatchObject({ status: "fail" })
    expect(checks.clock!.summary).toMatch(/^This machine's clock is (4m 59s|5m|5m 1s) behind the API's/)
    expect(checks.clock!.hint).toContain("signed download URLs")
  })

  it("fails on a key file, journal folder or fingerprint key other users can read", async () => {
    const { env, keyFile, home } = homeWithKeyFile(healthy.apiKey, healthy.baseUrl)
    chmodSync(keyFile, 0o644)
    const journal = join(home.env.XDG_STATE_HOME, "booster-export")
    mkdirSync(journal, { recursive: true, mode: 0o755 })
    chmodSync(journal, 0o755)
    const fingerprintKey = join(home.root, "team.key")
    writeFileSync(fingerprintKey, "k".repeat(64), { mode: 0o640 })
    const result = await booster(["doctor", "--json"], {
      env: { ...env, BOOSTER_FINGERPRINT_KEY_FILE: fingerprintKey }
    })
    expect(result.code).toBe(1)
    const checks = checksOf(result.stdout)
    expect(checks.credentials).toMatchObject({ status: "fail", hint: `Run \`chmod 600 ${keyFile}\`.` })
    expect(checks.journal).toMatchObject({ status: "fail", hint: `Run \`chmod 700 ${journal}\`.` })
    expect(checks["fingerprint-key"]).toMatchObject({ status: "fail" })
    expect(checks["fingerprint-key"]!.summary).toContain(
      `${fingerprintKey} can be read or written by other users (mode 0640)`
    )
    expect(checks["fingerprint-key"]!.hint).toContain(`chmod 600 ${fingerprintKey}`)
    expect(checks.api!.status).toBe("pass")
    const shortKey = join(home.root, "short.key")
    writeFileSync(shortKey, "k".repeat(16), { mode: 0o600 })
    const short = await booster(["doctor", "--json"], {
      env: { ...env, BOOSTER_FINGERPRINT_KEY_FILE: shortKey }
    })
    expect(checksOf(short.stdout)["fingerprint-key"]).toMatchObject({
      status: "fail",
      summary: expect.stringContaining("too short")
    })
  })

  it("--contract: in step with the sandbox (exit 0)", async () => {
    const home = freshHome()
    const result = await booster(["doctor", "--contract", "--json"], {
      env: { ...home.env, BOOSTER_BASE_URL: healthy.baseUrl }
    })
    expect(result.code).toBe(0)
    const report = parseJson(result.stdout)
    expect(report.contract).toEqual({ differences: [], notes: [] })
    expect(checksOf(result.stdout).contract!.status).toBe("pass")
    // all six exports are compared, and the summary says so
    for (const kind of ExportKind.all)
      expect(checksOf(result.stdout).contract!.summary).toContain(kind.operation)
  })

  it("--contract: names an export the API's metadata lacks, and one whose route changed (exit 1)", async () => {
    const doc = JSON.parse(JSON.stringify(ApiMetadata.document())) as {
      operations: Array<{ request: { name: string }; routes: Array<{ path: string }> }>
    }
    doc.operations = doc.operations.filter((op) => op.request.name !== "ExportStock")
    doc.operations.find((op) => op.request.name === "ExportInvoice")!.routes[0]!.path =
      "/invoices/{Brand}/export"
    const changed = await Sandbox.start({ customers: 10, metadata: doc })
    try {
      const env = { ...freshHome().env, BOOSTER_BASE_URL: changed.baseUrl }
      const json = await booster(["doctor", "--contract", "--json"], { env })
      expect(json.code).toBe(1)
      const differences = (
        parseJson(json.stdout).contract as { differences: Array<{ change: string; field: string }> }
      ).differences
      expect(differences).toContainEqual(expect.objectContaining({ change: "removed", field: "ExportStock" }))
      expect(differences.some((d) => d.field.startsWith("ExportInvoice"))).toBe(true)
      expect(differences.every((d) => /^Export(Stock|Invoice)\b/.test(d.field))).toBe(true)
      expect(checksOf(json.stdout).contract).toMatchObject({
        status: "fail",
        summary: expect.stringMatching(/\(ExportStock, ExportInvoice\)$/)
      })
      const human = await booster(["doctor", "--contract"], { env })
      expect(human.code).toBe(1)
      expect(human.stdout).toMatch(/removed +ExportStock /)
      expect(human.stdout).toMatch(/ExportInvoice/)
    } finally {
      await changed.close()
    }
  })

  it("--contract: reads a 3 GiB metadata answer no further than 32 MiB, in little memory (exit 1)", async () => {
    const huge = await Sandbox.start({
      customers: 10,
      faults: Faults.parse(`metadata:oversize=${3 * 1024 ** 3}`)
    })
    try {
      const home = freshHome()
      const { result, peakRssMiB } = await withPeakRss(["doctor", "--contract", "--json"], {
        ...home.env,
        BOOSTER_BASE_URL: huge.baseUrl
      })
      expect(result.code).toBe(1)
      const contract = checksOf(result.stdout).contract!
      expect(contract.status).toBe("fail")
      expect(contract.summary).toContain(`more than ${32 * 1024 * 1024} bytes`)
      // the cap, the program and its libraries: far from the 3 GiB answer
      expect(peakRssMiB).toBeLessThan(400)
    } finally {
      await huge.close()
    }
  })

  it("--contract: refuses a type nested 20,000 deep with a clear error, no stack overflow (exit 1)", async () => {
    const doc = JSON.parse(JSON.stringify(ApiMetadata.document()))
    doc.types[0].properties.push({
      name: "Deep",
      type: `${"List<".repeat(20_000)}String${">".repeat(20_000)}`
    })
    const deep = await Sandbox.start({ customers: 10, metadata: doc })
    try {
      const home = freshHome()
      const env = { ...home.env, BOOSTER_BASE_URL: deep.baseUrl }
      const json = await booster(["doctor", "--contract", "--json"], { env })
      expect(json.code).toBe(1)
      expect(checksOf(json.stdout).contract).toMatchObject({
        status: "fail",
        summary: expect.stringContaining(`deeper than ${ApiMetadata.MAX_TYPE_DEPTH} levels`)
      })
      const human = await booster(["doctor", "--contract"], { env })
      expect(human.code).toBe(1)
      expect(human.stdout).toMatch(/✘ contract +The API's metadata .*deeper than 32 levels/)
      expect(`${human.stdout}${human.stderr}`).not.toMatch(/stack|RangeError/i)
    } finally {
      await deep.close()
    }
  })

  it("--contract: shows the API's names, types and routes without their terminal escapes", async () => {
    const ESC = "\u001b]52;c;cm0gLXJmIH4K\u0007\u001b]0;pwned\u0007\u001b[2J\r\u001b[2K\u202e"
    const doc = JSON.parse(JSON.stringify(ApiMetadata.document()))
    const base = doc.types.find((type: { name: string }) => type.name === "SearchCustomer")
    base.properties.push({ name: `Loyalty${ESC}Tier`, type: `String${ESC}` })
    base.properties.find((p: { name: string }) => p.name === "Email").type = `Int32${ESC}`
    const route = doc.operations[0].routes[0]
    route.path = `/customer/{brand}/export${ESC}`
    const hostileDoc = await Sandbox.start({ customers: 10, metadata: doc })
    try {
      const home = freshHome()
      const env = { ...home.env, BOOSTER_BASE_URL: hostileDoc.baseUrl }
      for (const args of [
        ["doctor", "--contract"],
        ["doctor", "--contract", "--json"]
      ]) {
        const result = await booster(args, { env })
        expect(result.code, args.join(" ")).toBe(1)
        expectNoControl(result, args.join(" "))
        expect(result.stdout).toMatch(/ExportCustomer\.loyalty.*Tier/)
      }
    } finally {
      await hostileDoc.close()
    }
  })

  it("--contract: names the field added, the one removed and the one retyped (exit 1)", async () => {
    const home = freshHome()
    const env = { ...home.env, BOOSTER_BASE_URL: drifted.baseUrl }
    const result = await booster(["doctor", "--contract", "--json"], { env })
    expect(result.code).toBe(1)
    expect((parseJson(result.stdout).contract as { differences: unknown }).differences).toEqual([
      { change: "added", field: "ExportCustomer.loyaltyTier", detail: "in the API, not in core" },
      {
        change: "changed",
        field: "ExportCustomer.birthdateMonths",
        detail: "type: string (API) vs array<number> (core)"
      },
      { change: "removed", field: "ExportCustomer.hasSapCrmError", detail: "in core, not in the API" }
    ])
    const human = await booster(["doctor", "--contract"], { env })
    expect(human.code).toBe(1)
    expect(human.stdout).toContain("✘ contract  3 differences")
    expect(human.stdout).toMatch(/added +ExportCustomer\.loyaltyTier/)
    expect(human.stdout).toMatch(/removed +ExportCustomer\.hasSapCrmError/)
    expect(human.stdout).toMatch(/changed +ExportCustomer\.birthdateMonths/)
  })
})
