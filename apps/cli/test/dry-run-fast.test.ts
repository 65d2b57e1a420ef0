/**
 * `booster export … --dry-run` runs on the launcher's fast path (dist/dry-run.cjs, without the
 * command framework): for every input it understands, its stdout, stderr and exit code are the full
 * program's byte for byte (`BOOSTER_NO_FAST_PATH=1` forces the full program); what it does not
 * understand is handed to the full program before anything is printed.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ExportKind } from "@booster-export/core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { knownOptions, knownOptionsOf } from "../src/export/fast-path.js"
import { appDir, booster, ensureBuilt, freshHome, type Result } from "./helpers.js"

const ID = ["--download-request-id", "0b5c1f7e-4d2a-4c55-9d1e-6f0a2b3c4d5e"]
const home = freshHome()
const files = join(home.root, "files")
/** A copy of the built program without the full program: only the fast path can answer there. */
const fastOnly = mkdtempSync(join(tmpdir(), "booster-fast-only-"))

beforeAll(() => {
  ensureBuilt()
  const config = join(home.env.XDG_CONFIG_HOME, "booster-export")
  mkdirSync(config, { recursive: true })
  mkdirSync(files, { recursive: true })
  writeFileSync(
    join(config, "profiles.json"),
    JSON.stringify({
      default: "shop",
      profiles: {
        shop: { brand: "CAR", posCodes: ["ES100", "IT200"], headers: { "X-Booster-App": "crm" } },
        other: { baseUrl: "https://other.example.com/api", brand: "IWC" }
      }
    })
  )
  writeFileSync(
    join(config, "filters.json"),
    JSON.stringify({
      filters: {
        recent: {
          savedAt: "2026-01-01T00:00:00Z",
          filter: { brand: "CAR", posCodes: ["FR100"], creationDateFrom: "-30d" }
        }
      }
    })
  )
  writeFileSync(join(files, "filter.json"), JSON.stringify({ posCodes: ["NL100"], customerStatus: ["ACT"] }))
  writeFileSync(join(files, "broken.json"), "{ not json")
  writeFileSync(join(files, "email.txt"), "ann@example.com\n")
  writeFileSync(join(files, "key"), "file-key\n")
  chmodSync(join(files, "key"), 0o600)
  writeFileSync(join(files, "open-key"), "open-key\n")
  chmodSync(join(files, "open-key"), 0o644)
  cpSync(join(appDir, "dist"), fastOnly, { recursive: true })
  rmSync(join(fastOnly, "main.cjs"))
  rmSync(join(fastOnly, "main.cache"))
}, 180_000)
afterAll(() => {
  rmSync(home.root, { recursive: true, force: true })
  rmSync(fastOnly, { recursive: true, force: true })
})

const API = { BOOSTER_BASE_URL: "https://booster.example.com/api", BOOSTER_API_KEY: "k-secret" }

interface Case {
  readonly name: string
  /** `booster export KIND …`; `booster export …` when absent. */
  readonly kind?: string
  readonly args: ReadonlyArray<string>
  readonly env?: Record<string, string>
  readonly input?: string
}

/** Inputs the fast path runs itself: valid and invalid, text and --json. */
const fastCases: ReadonlyArray<Case> = [
  {
    name: "a valid filter",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--interest", "Watches=CA-1", ...ID]
  },
  {
    name: "the same, repeated list flags",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--pos-code", "IT200", ...ID]
  },
  {
    name: "a comma-split list",
    args: ["--brand", "CAR", "--pos-code", "ES100,IT200", "--hobby", "Golf=H-1,Polo=H-2", ...ID]
  },
  { name: "a comma in a flag of one value", args: ["--brand", "CAR,IWC", "--pos-code", "ES100", ...ID] },
  { name: "a missing brand", args: ["--pos-code", "ES100", ...ID], env: { BOOSTER_PROFILE: "other" } },
  {
    name: "a bad date",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--creation-date-from", "2026-13-45", ...ID]
  },
  {
    name: "a relative date",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--creation-date-from", "-30d", ...ID]
  },
  {
    name: "a relative date not understood",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--transaction-date-to", "-3x", ...ID]
  },
  {
    name: "an unknown interest format",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--interest", "colour=red,size=9", ...ID]
  },
  {
    name: "an unknown product category member",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--product-category", "nope=1", ...ID]
  },
  { name: "a control character", args: ["--brand", "CAR\u001b[31m", "--pos-code", "ES100", ...ID] },
  {
    name: "a number that is not one",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--client-spending-from", "lots", ...ID]
  },
  {
    name: "a flag alias",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--location-country", "ES", ...ID]
  },
  { name: "a saved filter", args: ["--filter", "recent", "--pos-code", "NL100", ...ID] },
  { name: "a saved filter that does not exist", args: ["--filter", "nope", ...ID] },
  { name: "a filter file", args: ["--filter-file", join(files, "filter.json"), "--brand", "IWC", ...ID] },
  { name: "a filter file that is not JSON", args: ["--filter-file", join(files, "broken.json"), ...ID] },
  { name: "a filter file that is missing", args: ["--filter-file", join(files, "absent.json"), ...ID] },
  { name: "the profile's defaults", args: [...ID] },
  { name: "another profile", args: ["--profile", "other", "--pos-code", "ES100", ...ID] },
  { name: "a profile that does not exist", args: ["--profile", "nope", ...ID] },
  {
    name: "a personal value, hidden",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--email", "ann@example.com", ...ID]
  },
  {
    name: "a personal value, shown",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--email", "ann@example.com", "--show-personal", ...ID]
  },
  {
    name: "a personal value from a file",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--email", `@${join(files, "email.txt")}`, ...ID]
  },
  {
    name: "a personal value from a missing file",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--email", `@${join(files, "absent.txt")}`, ...ID]
  },
  {
    name: "an API key file",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--api-key-file", join(files, "key"), ...ID]
  },
  {
    name: "an API key file others can read",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--api-key-file", join(files, "open-key"), ...ID]
  },
  {
    name: "a key sent in a header of its own",
    args: ["--brand", "CAR", "--pos-code", "ES100", ...ID],
    env: { BOOSTER_API_KEY_HEADER: "X-Api-Key" }
  },
  {
    name: "a base URL flag",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--base-url", "https://flag.example.com/v2", ...ID]
  },
  {
    name: "a plain http base URL",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--base-url", "http://booster.example.com", ...ID]
  },
  {
    name: "no base URL",
    args: ["--brand", "CAR", "--pos-code", "ES100", ...ID],
    env: { BOOSTER_BASE_URL: "" }
  },
  {
    name: "a team journal URL with a password in a profile",
    args: ["--brand", "CAR", ...ID],
    env: { BOOSTER_JOURNAL_URL: "mysql://x" }
  },
  {
    name: "flags of no consequence to a dry run",
    args: [
      "--brand",
      "CAR",
      "--pos-code",
      "ES100",
      "-y",
      "--wait",
      "--output",
      "x.csv",
      "--timeout",
      "5",
      "--force",
      ...ID
    ]
  },
  { name: "no request id (a new one each run)", args: ["--brand", "CAR", "--pos-code", "ES100"] },
  {
    name: "a stock export",
    kind: "stock",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--type", "consigned", "--date-from", "-30d", ...ID]
  },
  { name: "a stock export of the profile's defaults", kind: "stock", args: [...ID] },
  {
    name: "a movements export with a personal value, hidden",
    kind: "movements",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--search-key", "SN-123", ...ID]
  },
  {
    name: "an invoices export without its required POS code",
    kind: "invoices",
    args: ["--brand", "IWC", ...ID],
    env: { BOOSTER_PROFILE: "other" }
  },
  { name: "customers named", kind: "customers", args: ["--brand", "CAR", "--pos-code", "ES100", ...ID] },
  { name: "a saved customer filter in a stock export", kind: "stock", args: ["--filter", "recent", ...ID] }
]

/** Inputs handed to the full program. */
const fallThroughCases: ReadonlyArray<Case> = [
  { name: "an unknown flag", args: ["--brand", "CAR", "--pos-code", "ES100", "--bogus", ...ID] },
  { name: "a flag without its value", args: ["--pos-code", "ES100", ...ID, "--brand"] },
  { name: "a flag written with =", args: ["--brand=CAR", "--pos-code", "ES100", ...ID] },
  { name: "a word after a switch", args: ["--brand", "CAR", "--pos-code", "ES100", "--wait", "true", ...ID] },
  {
    name: "a flag of one value given twice",
    args: ["--brand", "CAR", "--brand", "IWC", "--pos-code", "ES100", ...ID]
  },
  {
    name: "a filter file on stdin",
    args: ["--filter-file", "-", ...ID],
    input: JSON.stringify({ brand: "CAR", posCodes: ["ES100"] })
  },
  { name: "a purpose", args: ["--brand", "CAR", "--pos-code", "ES100", "--purpose", "ticket 7", ...ID] },
  {
    name: "a purpose holding an email address (refused, exit 2)",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--purpose", "ann@example.com", ...ID]
  },
  {
    name: "a personal value on stdin",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--email", "-", ...ID],
    input: "ann@example.com\n"
  },
  {
    name: "a customer flag in a stock export",
    kind: "stock",
    args: ["--brand", "CAR", "--pos-code", "ES100", "--email", "ann@example.com", ...ID]
  },
  {
    name: "a kind's alias (not a command)",
    kind: "customer",
    args: ["--brand", "CAR", "--pos-code", "ES100", ...ID]
  }
]

const run = (c: Case, json: boolean, how: { readonly full?: boolean; readonly binary?: string } = {}) =>
  booster(
    [
      "export",
      ...(c.kind !== undefined ? [c.kind] : []),
      ...c.args,
      "--dry-run",
      ...(json ? ["--json"] : [])
    ],
    {
      env: { ...home.env, ...API, ...c.env, ...(how.full ? { BOOSTER_NO_FAST_PATH: "1" } : {}) },
      ...(c.input !== undefined ? { input: c.input } : {}),
      ...(how.binary !== undefined ? { binary: how.binary } : {})
    }
  )

/** A result with the request id generated by the run replaced, when it was not given. */
const comparable = (result: Result) => ({
  code: result.code,
  stdout: result.stdout.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>"),
  stderr: result.stderr
})

/** Runs `cases` a few at a time (each runs two or three processes). */
const eachInBatches = async (cases: ReadonlyArray<Case>, check: (c: Case) => Promise<void>) => {
  for (let i = 0; i < cases.length; i += 3) await Promise.all(cases.slice(i, i + 3).map(check))
}

describe("booster export --dry-run on the fast path", () => {
  for (const json of [false, true]) {
    it(`prints what the full program prints, byte for byte, and exits alike${json ? " (--json)" : ""}`, async () => {
      const codes = new Set<number | null>()
      await eachInBatches(fastCases, async (c) => {
        // in text mode, from a copy without the full program on disk: the fast path answers alone
        const [fast, full] = await Promise.all([
          run(c, json, json ? {} : { binary: join(fastOnly, "booster.cjs") }),
          run(c, json, { full: true })
        ])
        expect({ case: c.name, ...comparable(fast) }).toEqual({ case: c.name, ...comparable(full) })
        codes.add(full.code)
      })
      // the table holds successes and refusals
      expect([...codes].sort()).toEqual([0, 2])
    })
  }

  it("hands what it does not understand to the full program before printing anything", async () => {
    await eachInBatches(fallThroughCases, async (c) => {
      const [fast, full, alone] = await Promise.all([
        run(c, false),
        run(c, false, { full: true }),
        run(c, false, { binary: join(fastOnly, "booster.cjs") })
      ])
      expect({ case: c.name, ...comparable(fast) }).toEqual({ case: c.name, ...comparable(full) })
      // without the full program on disk it cannot answer: it did not answer on its own
      expect({ case: c.name, code: alone.code, stdout: alone.stdout }).toEqual({
        case: c.name,
        code: 1,
        stdout: ""
      })
      expect(alone.stderr).toContain("main.cjs")
    })
  })

  it("knows only options of the export command", async () => {
    const { readFileSync } = await import("node:fs")
    const help = readFileSync(join(appDir, "dist", "help", "booster-export.txt"), "utf8")
    const aliases = ["--location-country"]
    for (const option of knownOptions.filter((name) => !aliases.includes(name))) {
      expect(help, option).toMatch(new RegExp(`(^|[\\s,])${option}\\b`, "m"))
    }
  })

  it("knows only options of each kind's export command", async () => {
    const { readFileSync } = await import("node:fs")
    for (const kind of ExportKind.all) {
      const help = readFileSync(join(appDir, "dist", "help", `booster-export-${kind.name}.txt`), "utf8")
      for (const option of knownOptionsOf(kind).filter((name) => name !== "--location-country")) {
        expect(help, `${kind.name} ${option}`).toMatch(new RegExp(`(^|[\\s,])${option}\\b`, "m"))
      }
    }
  })
})
