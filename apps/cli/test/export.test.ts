import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { dirname, join } from "node:path"
import { Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

let sandbox: Sandbox.RunningSandbox

beforeAll(async () => {
  ensureBuilt()
  sandbox = await Sandbox.start({
    customers: 3000,
    taskDurationMs: 400,
    keys: [{ key: "demo-key" }, { key: "iwc-only", brands: ["IWC"] }]
  })
}, 120_000)
afterAll(() => sandbox?.close())

const apiEnv = (home: { env: Record<string, string> }, key = "demo-key") => ({
  ...home.env,
  BOOSTER_BASE_URL: sandbox.baseUrl,
  BOOSTER_API_KEY: key
})

const FILTER = ["--brand", "CAR", "--pos-code", "IT100", "--pos-code", "FR100"]
/** The confirmation a start needs off a terminal. */
const YES = "--yes"

describe("booster export --dry-run", () => {
  it("prints exactly the request with the key redacted, and sends nothing", async () => {
    const home = freshHome()
    const before = sandbox.requests().length
    const result = await booster(
      [
        "export",
        ...FILTER,
        "--interest",
        "Watches=CA-1",
        "--product-category",
        "grand=JEW,category=RNG-GLD",
        "--birthdate-month",
        "3",
        "--can-be-contacted-by-maison",
        "true",
        "--download-request-id",
        "fixed-request-id",
        "--dry-run",
        "--json"
      ],
      { env: apiEnv(home) }
    )
    expect(result.code).toBe(0)
    const dry = parseJson(result.stdout)
    expect(dry.url).toBe(`${sandbox.baseUrl}/customer/CAR/export`)
    expect(JSON.stringify(dry)).not.toContain("demo-key")
    expect({ ...dry, url: "<sandbox>/customer/CAR/export" }).toMatchSnapshot()
    expect(sandbox.requests().length).toBe(before)
  })

  it("prints a readable request and the description in human mode", async () => {
    const home = freshHome()
    const result = await booster(["export", ...FILTER, "--dry-run"], { env: apiEnv(home) })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`POST ${sandbox.baseUrl}/customer/CAR/export`)
    expect(result.stdout).toContain("authorization: <redacted>")
    expect(result.stderr).toContain("Customers of CAR at 2 points of sale (IT100, FR100)")
    expect(result.stderr).toContain("nothing was sent")
  })
})

describe("booster export --dry-run with personal values", () => {
  it("shows them as the one placeholder unless --show-personal, human and --json", async () => {
    const home = freshHome()
    const email = "anna.rossi@example.com"
    const personal = [
      ...FILTER,
      "--email",
      email,
      "--phone-number",
      "+39 333 1234567",
      "--search-key",
      "Rossi"
    ]
    const hidden = await booster(["export", ...personal, "--dry-run"], { env: apiEnv(home) })
    expect(hidden.code).toBe(0)
    const human = `${hidden.stdout}${hidden.stderr}`
    expect(human).not.toMatch(/anna\.rossi|1234567|Rossi/)
    expect(hidden.stdout).toContain('"email": "<personal value, not shown>"')
    expect(hidden.stderr).toContain("--show-personal")
    const json = await booster(["export", ...personal, "--dry-run", "--json"], { env: apiEnv(home) })
    expect(json.code).toBe(0)
    expect(json.stdout).not.toMatch(/anna\.rossi|1234567|Rossi/)
    expect(parseJson(json.stdout).body).toMatchObject({
      email: "<personal value, not shown>",
      phoneNumber: "<personal value, not shown>",
      searchKey: "<personal value, not shown>",
      brand: "CAR"
    })
    const shown = await booster(["export", ...personal, "--dry-run", "--show-personal", "--json"], {
      env: apiEnv(home)
    })
    expect(parseJson(shown.stdout).body).toMatchObject({
      email,
      phoneNumber: "+39 333 1234567",
      searchKey: "Rossi"
    })
    const shownHuman = await booster(["export", ...personal, "--dry-run", "--show-personal"], {
      env: apiEnv(home)
    })
    expect(shownHuman.stdout).toContain(`"email": "${email}"`)
  })
})

describe("booster export validation", () => {
  it("lists every problem with its flag and wire field, exits 2 and sends nothing", async () => {
    const home = freshHome()
    const before = sandbox.requests().length
    const result = await booster(
      [
        "export",
        "--brand",
        " ",
        "--birthdate-month",
        "13",
        "--interest",
        "Watches=",
        "--creation-date-from",
        "2023-02-30",
        "--email",
        "Person@Example"
      ],
      { env: apiEnv(home) }
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--brand (brand): must not be empty or blank")
    expect(result.stderr).toContain("--pos-code (posCodes): is required")
    expect(result.stderr).toContain("--birthdate-month (birthdateMonths[0])")
    expect(result.stderr).toContain("--interest (interests[0].sapInterestId): is required")
    expect(result.stderr).toContain("--creation-date-from (creationDateFrom)")
    expect(result.stderr).toContain("--email (email): must be a valid email address")
    expect(result.stderr).not.toMatch(/person@example/i)
    expect(result.stderr).not.toContain("    at ")
    expect(sandbox.requests().length).toBe(before)
  })

  it("gives one JSON object on stderr with --json", async () => {
    const home = freshHome()
    const result = await booster(["export", "--brand", "CAR", "--json"], { env: apiEnv(home) })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    const error = parseJson(result.stderr)
    expect(error._tag).toBe("ValidationError")
    expect(error.issues).toEqual([
      { path: "posCodes", rule: "required", message: "is required", flag: "--pos-code" }
    ])
  })

  it("treats an unknown flag as a usage error (exit 2), as JSON with --json", async () => {
    const home = freshHome()
    const text = await booster(["export", "--bran", "CAR"], { env: apiEnv(home) })
    expect(text.code).toBe(2)
    expect(text.stderr).toContain("--bran")
    const json = await booster(["export", "--bran", "CAR", "--json"], { env: apiEnv(home) })
    expect(json.code).toBe(2)
    expect(parseJson(json.stderr)).toMatchObject({ _tag: "UsageError" })
  })

  it("refuses a missing base URL with exit 2 and a hint", async () => {
    const home = freshHome()
    const result = await booster(["export", ...FILTER, "--dry-run"], { env: home.env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("BOOSTER_BASE_URL")
  })
})

describe("booster export list flags", () => {
  it("sends IT100,FR100 and Client,VIC as two values each, and the export finds their customers", async () => {
    const home = freshHome()
    const args = ["export", "--brand", "CAR", "--pos-code", "IT100,FR100", "--customer-status", "Client,VIC"]
    const dry = await booster([...args, "--dry-run", "--json"], { env: apiEnv(home) })
    expect(dry.code).toBe(0)
    expect(parseJson(dry.stdout).body).toMatchObject({
      posCodes: ["IT100", "FR100"],
      customerStatus: ["Client", "VIC"]
    })
    const started = await booster([...args, "--wait", "--json", YES], { env: apiEnv(home) })
    expect(started.code).toBe(0)
    expect((parseJson(started.stdout).task as { totalResults: number }).totalResults).toBeGreaterThan(0)
  })

  it("refuses a comma in a flag of one value, sending nothing (exit 2)", async () => {
    const home = freshHome()
    const before = sandbox.requests().length
    const result = await booster(["export", "--brand", "CAR,IWC", "--pos-code", "IT100", YES], {
      env: apiEnv(home)
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--brand takes one value")
    expect(result.stderr).toContain("--pos-code IT100,FR100")
    expect(sandbox.requests().length).toBe(before)
  })

  it("says how to write a comma inside a value when a split value is refused", async () => {
    const home = freshHome()
    const result = await booster(
      ["export", "--brand", "CAR", "--pos-code", "IT100", "--interest", "Watches, fine=CA-1", "--dry-run"],
      { env: apiEnv(home) }
    )
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--interest (interests[0].sapInterestId)")
    expect(result.stderr).toContain("write \\, for a comma inside one")
  })
})

describe("booster export checks where the file goes before starting", () => {
  const exportPosts = () =>
    sandbox.requests().filter((r) => r.method === "POST" && /^\/customer\/[^/]+\/export/.test(r.path)).length

  it("refuses an existing file without --overwrite, a missing folder and an unwritable one (exit 2, nothing sent)", async () => {
    const home = freshHome()
    const args = ["export", ...FILTER, "--pos-code", "AT100", YES]
    const before = exportPosts()
    const existing = join(home.root, "customers.csv")
    writeFileSync(existing, "kept\n")
    const exists = await booster([...args, "--output", existing], { env: apiEnv(home) })
    expect(exists.code).toBe(2)
    expect(exists.stderr).toContain(`${existing} already exists`)
    expect(exists.stderr).toContain("--overwrite")
    expect(readFileSync(existing, "utf8")).toBe("kept\n")
    const missing = join(home.root, "no-such-folder", "customers.csv")
    const noFolder = await booster([...args, "--output", missing, "--json"], { env: apiEnv(home) })
    expect(noFolder.code).toBe(2)
    expect(parseJson(noFolder.stderr)).toMatchObject({
      _tag: "UsageError",
      message: expect.stringContaining(`${dirname(missing)} does not exist`),
      hint: expect.stringContaining("mkdir -p")
    })
    // /proc takes no new file, for root too
    const unwritable = await booster([...args, "--output", "/proc/customers.csv"], { env: apiEnv(home) })
    expect(unwritable.code).toBe(2)
    expect(unwritable.stderr).toContain("the folder /proc cannot be written")
    const underFile = await booster([...args, "--output", `${existing}/exports/`], { env: apiEnv(home) })
    expect(underFile.code).toBe(2)
    expect(underFile.stderr).toContain(`${existing} is not a folder`)
    // standard output with --json is refused (one JSON value on stdout), not written to a file named "-"
    const dash = await booster([...args, "--output", "-", "--json"], { env: apiEnv(home), cwd: home.root })
    expect(dash.code).toBe(2)
    expect(dash.stderr).toContain("--output - and --json cannot be used together")
    expect(existsSync(join(home.root, "-"))).toBe(false)
    expect(exportPosts()).toBe(before)
    // the same destination with --overwrite goes through
    const replaced = await booster([...args, "--output", existing, "--overwrite", "--json"], {
      env: apiEnv(home)
    })
    expect(replaced.code).toBe(0)
    expect(readFileSync(existing, "utf8")).not.toBe("kept\n")
    expect(exportPosts()).toBe(before + 1)
  })
})

describe("booster export without a confirmation", () => {
  it("starts nothing without --yes off a terminal, with --json or with --no-input (exit 2, naming --yes)", async () => {
    const home = freshHome()
    const posts = () =>
      sandbox.requests().filter((r) => r.method === "POST" && r.path === "/customer/CAR/export").length
    const before = posts()
    // stdin is /dev/null: no terminal to ask on
    const piped = await booster(["export", ...FILTER, "--pos-code", "US100"], { env: apiEnv(home) })
    expect(piped.code).toBe(2)
    expect(piped.stderr).toContain("Nothing was sent")
    expect(piped.stderr).toContain("there is no terminal to ask on")
    expect(piped.stderr).toContain("--yes")
    const json = await booster(["export", ...FILTER, "--pos-code", "US100", "--json"], { env: apiEnv(home) })
    expect(json.code).toBe(2)
    expect(json.stdout).toBe("")
    expect(parseJson(json.stderr)).toMatchObject({
      _tag: "UsageError",
      hint: expect.stringContaining("--yes")
    })
    const noInput = await booster(["export", ...FILTER, "--pos-code", "US100", "--no-input", "--wait"], {
      env: apiEnv(home)
    })
    expect(noInput.code).toBe(2)
    expect(noInput.stderr).toContain("--no-input was given")
    expect(posts()).toBe(before)
    // nothing was recorded either: the same filter with --yes is not a duplicate
    const confirmed = await booster(["export", ...FILTER, "--pos-code", "US100", "--json", YES], {
      env: apiEnv(home)
    })
    expect(confirmed.code).toBe(0)
    expect(posts()).toBe(before + 1)
  })
})

describe("booster export against the sandbox", () => {
  it("starts one export with --yes and prints its task id (no prompt without a TTY)", async () => {
    const home = freshHome()
    const before = sandbox.tasksCreated()
    const result = await booster(["export", ...FILTER, YES], { env: apiEnv(home) })
    expect(result.code).toBe(0)
    const id = result.stdout.trim()
    expect(sandbox.tasks().some((t) => t.asyncTaskId.replace(/-/g, "") === id.replace(/-/g, ""))).toBe(true)
    expect(sandbox.tasksCreated()).toBe(before + 1)
    expect(result.stderr).toContain("Exporting: Customers of CAR")
  })

  it("waits, downloads, writes the journal, and prints the --json shape", async () => {
    const home = freshHome()
    const out = join(home.root, "customers.csv")
    const result = await booster(
      ["export", ...FILTER, "--customer-status", "Client", "--output", out, "--json", YES],
      {
        env: apiEnv(home)
      }
    )
    expect(result.code).toBe(0)
    const body = parseJson(result.stdout)
    expect(Object.keys(body).sort()).toEqual([
      "asyncTaskId",
      "downloadRequestId",
      "file",
      "fingerprint",
      "kind",
      "task"
    ])
    expect(body.kind).toBe("customers")
    const file = body.file as { path: string; bytes: number; sha256: string }
    expect(file.path).toBe(out)
    expect(statSync(out).size).toBe(file.bytes)
    expect(readFileSync(out, "utf8").split("\n")[0]).toContain(",")
    expect(readdirSync(home.root).filter((name) => name.endsWith(".part"))).toEqual([])
    // the download's record names the start it answers, and when retention may delete the file
    const journal = readFileSync(join(home.env.XDG_STATE_HOME, "booster-export", "journal.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(journal.at(-1)).toMatchObject({
      source: "cli",
      event: "downloaded",
      asyncTaskId: body.asyncTaskId,
      fingerprint: body.fingerprint,
      downloadRequestId: body.downloadRequestId,
      brand: "CAR",
      file: out,
      expiresAt: expect.any(String)
    })
    const history = await booster(["history", "--json"], { env: home.env })
    const rows = JSON.parse(history.stdout) as Array<Record<string, unknown>>
    expect(rows[0]).toMatchObject({
      asyncTaskId: body.asyncTaskId,
      file: out,
      bytes: file.bytes,
      sha256: file.sha256
    })
  })

  it("--output ending with / is a folder, created with mode 0700 when missing", async () => {
    const home = freshHome()
    const folder = join(home.root, "exports", "crm")
    const result = await booster(["export", ...FILTER, "--output", `${folder}/`, "--json", YES], {
      env: apiEnv(home)
    })
    expect(result.code).toBe(0)
    const file = (parseJson(result.stdout).file as { path: string }).path
    expect(dirname(file)).toBe(folder)
    expect(statSync(file).isFile()).toBe(true)
    expect(statSync(join(home.root, "exports")).mode & 0o777).toBe(0o700)
    expect(statSync(folder).mode & 0o777).toBe(0o700)
  })

  it("refuses to start the same filter twice (exit 2), and offers --reuse and --force", async () => {
    const home = freshHome()
    const first = await booster(["export", ...FILTER, "--location-country", "it", YES], { env: apiEnv(home) })
    expect(first.code).toBe(0)
    const before = sandbox.tasksCreated()
    const second = await booster(
      [
        "export",
        "--pos-code",
        "FR100",
        "--pos-code",
        "IT100",
        "--brand",
        "CAR",
        "--location-country",
        "IT",
        "--json",
        YES
      ],
      {
        env: apiEnv(home)
      }
    )
    expect(second.code).toBe(2)
    expect(parseJson(second.stderr)).toMatchObject({
      _tag: "DuplicateExportError",
      asyncTaskId: first.stdout.trim()
    })
    const reused = await booster(
      ["export", ...FILTER, "--location-country", "it", "--reuse", "--wait", "--json", YES],
      {
        env: apiEnv(home)
      }
    )
    expect(reused.code).toBe(0)
    expect(parseJson(reused.stdout).asyncTaskId).toBe(first.stdout.trim())
    expect(sandbox.tasksCreated()).toBe(before)
    const forced = await booster(["export", ...FILTER, "--location-country", "it", "--force", YES], {
      env: apiEnv(home)
    })
    expect(forced.code).toBe(0)
    expect(sandbox.tasksCreated()).toBe(before + 1)
  })

  it("starts the same filter again once its earlier export ended in error, and refuses a repeat of the new one", async () => {
    const home = freshHome()
    const args = ["export", "--brand", "CAR", "--pos-code", "NL100", "--json", YES]
    const posts = () =>
      sandbox.requests().filter((r) => r.method === "POST" && r.path === "/customer/CAR/export").length
    const before = posts()
    sandbox.faults.add({ route: "export", fault: { kind: "task-error" } })
    const failed = await booster([...args, "--wait"], { env: apiEnv(home) })
    expect(failed.code).toBe(4)
    expect(parseJson(failed.stderr)._tag).toBe("ExportFailedError")
    // the task ended in error, so it exported nobody: the same filter starts again
    const again = await booster(args, { env: apiEnv(home) })
    expect(again.code).toBe(0)
    const retried = parseJson(again.stdout).asyncTaskId
    expect(posts()).toBe(before + 2)
    // that new task did not end in error: a repeat of it is refused as before
    const repeat = await booster(args, { env: apiEnv(home) })
    expect(repeat.code).toBe(2)
    expect(parseJson(repeat.stderr)).toMatchObject({ _tag: "DuplicateExportError", asyncTaskId: retried })
    expect(parseJson(repeat.stderr).hint).toMatch(/--reuse.*--force/)
    expect(posts()).toBe(before + 2)
  })

  it("two shells starting the same filter at the same instant create one task; the other is told", async () => {
    const home = freshHome()
    const args = ["export", "--brand", "CAR", "--pos-code", "SE100", "--json", YES]
    // a slow answer keeps the first start in flight while the second one checks the journal
    sandbox.faults.add({ route: "export", fault: { kind: "delay", ms: 600 }, times: 2 })
    const before = sandbox.tasksCreated()
    const results = await Promise.all([
      booster(args, { env: apiEnv(home) }),
      booster(args, { env: apiEnv(home) })
    ])
    expect(sandbox.tasksCreated()).toBe(before + 1)
    const winner = results.find((r) => r.code === 0)!
    const other = results.find((r) => r.code !== 0)!
    expect(other.code).toBe(2)
    expect(parseJson(other.stderr)).toMatchObject({
      _tag: "DuplicateExportError",
      asyncTaskId: parseJson(winner.stdout).asyncTaskId
    })
    // with --reuse, the second follows the first one's task instead
    const reuseHome = freshHome()
    const reuseArgs = ["export", "--brand", "CAR", "--pos-code", "SE200", "--json", "--reuse", YES]
    sandbox.faults.add({ route: "export", fault: { kind: "delay", ms: 600 }, times: 2 })
    const reused = await Promise.all([
      booster(reuseArgs, { env: apiEnv(reuseHome) }),
      booster(reuseArgs, { env: apiEnv(reuseHome) })
    ])
    expect(reused.map((r) => r.code)).toEqual([0, 0])
    expect(parseJson(reused[0]!.stdout).asyncTaskId).toBe(parseJson(reused[1]!.stdout).asyncTaskId)
    expect(sandbox.tasksCreated()).toBe(before + 2)
  })

  it("uses OAuth2 client credentials from the environment, and refuses credentials of two kinds", async () => {
    const home = freshHome()
    const oauth = {
      ...home.env,
      BOOSTER_BASE_URL: sandbox.baseUrl,
      BOOSTER_OAUTH2_TOKEN_URL: sandbox.tokenUrl,
      BOOSTER_OAUTH2_CLIENT_ID: "crm-exports",
      BOOSTER_OAUTH2_CLIENT_SECRET: "demo-key"
    }
    const tokenRequests = () => sandbox.requests().filter((r) => r.path === "/oauth/token")
    const dry = await booster(["export", "--brand", "CAR", "--pos-code", "NO100", "--dry-run", "--json"], {
      env: oauth
    })
    expect(dry.code).toBe(0)
    expect(parseJson(dry.stdout).headers).toMatchObject({ authorization: "<redacted>" })
    expect(tokenRequests()).toEqual([])
    const before = sandbox.tasksCreated()
    const started = await booster(["export", "--brand", "CAR", "--pos-code", "NO100", "--json", YES], {
      env: oauth
    })
    expect(started.code).toBe(0)
    expect(sandbox.tasksCreated()).toBe(before + 1)
    // the token endpoint accepted the client credentials (a wrong secret answers 401)
    expect(tokenRequests().map((r) => [r.method, r.status])).toEqual([["POST", 200]])
    const wrong = await booster(["export", "--brand", "CAR", "--pos-code", "NO300", "--json", YES], {
      env: { ...oauth, BOOSTER_OAUTH2_CLIENT_SECRET: "wrong-secret" }
    })
    expect(wrong.code).toBe(3)
    expect(parseJson(wrong.stderr)).toMatchObject({ _tag: "AuthenticationError" })
    expect(wrong.stderr).not.toContain("wrong-secret")
    const mixed = await booster(["export", "--brand", "CAR", "--pos-code", "NO200", "--json", YES], {
      env: { ...oauth, BOOSTER_BASIC_USER: "exporter", BOOSTER_BASIC_PASSWORD: "basic-secret-value" }
    })
    expect(mixed.code).toBe(2)
    expect(parseJson(mixed.stderr)).toMatchObject({ _tag: "InvalidConfigError", field: "auth" })
    expect(mixed.stderr).not.toMatch(/secret-value|demo-key/)
    expect(sandbox.tasksCreated()).toBe(before + 1)
  })

  it("reads the filter from a file or stdin, flags replacing its fields", async () => {
    const home = freshHome()
    const path = join(home.root, "filter.json")
    writeFileSync(path, JSON.stringify({ brand: "IWC", posCodes: ["IT100"], customerStatus: ["Client"] }))
    const fromFile = await booster(
      ["export", "--filter-file", path, "--brand", "CAR", "--dry-run", "--json"],
      {
        env: apiEnv(home)
      }
    )
    expect(fromFile.code).toBe(0)
    expect(parseJson(fromFile.stdout).body).toMatchObject({
      brand: "CAR",
      posCodes: ["IT100"],
      customerStatus: ["Client"]
    })
    const fromStdin = await booster(["export", "--filter-file", "-", "--dry-run", "--json"], {
      env: apiEnv(home),
      input: JSON.stringify({ brand: "JLC", posCodes: ["ES100"] })
    })
    expect(fromStdin.code).toBe(0)
    expect(parseJson(fromStdin.stdout).body).toMatchObject({ brand: "JLC", posCodes: ["ES100"] })
    const broken = await booster(["export", "--filter-file", "-", "--dry-run"], {
      env: apiEnv(home),
      input: "{nope"
    })
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain("not valid JSON")
  })

  it("exits 3 when the key is refused or not allowed", async () => {
    const home = freshHome()
    const refused = await booster(["export", ...FILTER, "--json", YES], { env: apiEnv(home, "wrong-key") })
    expect(refused.code).toBe(3)
    expect(parseJson(refused.stderr)._tag).toBe("AuthenticationError")
    expect(refused.stderr).not.toContain("wrong-key")
    const forbidden = await booster(["export", ...FILTER, YES], { env: apiEnv(home, "iwc-only") })
    expect(forbidden.code).toBe(3)
    expect(forbidden.stderr).toMatch(/^Error: The credentials are not allowed/m)
    expect(forbidden.stderr).toContain("Hint:")
  })

  it("exits 4 when the export ends in error", async () => {
    const home = freshHome()
    sandbox.faults.add({ route: "export", fault: { kind: "task-error" } })
    const result = await booster(["export", ...FILTER, "--birthdate-month", "4", "--wait", "--json", YES], {
      env: apiEnv(home)
    })
    sandbox.faults.clear()
    expect(result.code).toBe(4)
    expect(parseJson(result.stderr)._tag).toBe("ExportFailedError")
  })

  it("exits 5 when --timeout runs out, naming the command to resume", async () => {
    const home = freshHome()
    const slow = await Sandbox.start({ customers: 100, taskDurationMs: 60_000 })
    try {
      const result = await booster(["export", ...FILTER, "--wait", "--timeout", "1", YES], {
        env: { ...home.env, BOOSTER_BASE_URL: slow.baseUrl, BOOSTER_API_KEY: slow.apiKey }
      })
      expect(result.code).toBe(5)
      expect(result.stderr).toContain("keeps running on the server")
      const id = /Started task ([0-9a-f]{32})/.exec(result.stderr)?.[1]
      expect(result.stderr).toContain(`Resume with \`booster tasks wait ${id}\`.`)
      const output = join(home.root, "my exports", "it's.csv")
      mkdirSync(join(home.root, "my exports"))
      const saved = await booster(
        ["export", ...FILTER, "--customer-status", "VIC", "--timeout", "1", "--output", output, YES],
        {
          env: { ...home.env, BOOSTER_BASE_URL: slow.baseUrl, BOOSTER_API_KEY: slow.apiKey }
        }
      )
      expect(saved.code).toBe(5)
      const again = /Started task ([0-9a-f]{32})/.exec(saved.stderr)?.[1]
      expect(saved.stderr).toContain(
        `Resume with \`booster tasks wait ${again} --output '${output.replace("'", "'\\''")}'\`.`
      )
    } finally {
      await slow.close()
    }
  })

  it("uses the profile's brand and POS codes when no flag gives them", async () => {
    const home = freshHome()
    const set = await booster(
      [
        "config",
        "set",
        "--profile",
        "it",
        "--base-url",
        sandbox.baseUrl,
        "--brand",
        "JLC",
        "--pos-code",
        "IT200"
      ],
      {
        env: home.env
      }
    )
    expect(set.code).toBe(0)
    const result = await booster(["export", "--dry-run", "--json"], {
      env: { ...home.env, BOOSTER_API_KEY: "demo-key" }
    })
    expect(result.code).toBe(0)
    expect(parseJson(result.stdout)).toMatchObject({
      url: `${sandbox.baseUrl}/customer/JLC/export`,
      body: { posCodes: ["IT200"] }
    })
    expect(existsSync(join(home.env.XDG_CONFIG_HOME, "booster-export", "profiles.json"))).toBe(true)
  })
})

describe("booster export where the local journal cannot be written", () => {
  /** Export requests the sandbox received. */
  const exportPosts = () =>
    sandbox.requests().filter((r) => r.method === "POST" && /^\/customer\/[^/]+\/export/.test(r.path)).length

  it("refuses before sending when the journal's disk is full (ENOSPC), and --force sends unguarded", async () => {
    const home = freshHome()
    const state = join(home.env.XDG_STATE_HOME, "booster-export")
    mkdirSync(state, { recursive: true, mode: 0o700 })
    const journal = join(state, "journal.jsonl")
    // every write to /dev/full fails with ENOSPC, for root too
    symlinkSync("/dev/full", journal)
    const args = ["export", "--brand", "CAR", "--pos-code", "PT100", YES]
    const before = exportPosts()
    const refused = await booster(args, { env: apiEnv(home) })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(journal)
    expect(refused.stderr).toContain("ENOSPC")
    expect(refused.stderr).toContain("Nothing was sent")
    expect(refused.stderr).toContain("--force")
    expect(exportPosts()).toBe(before)
    const json = await booster([...args, "--json"], { env: apiEnv(home) })
    expect(json.code).toBe(1)
    expect(parseJson(json.stderr)).toMatchObject({
      _tag: "JournalUnwritableError",
      path: journal,
      code: "ENOSPC"
    })
    expect(exportPosts()).toBe(before)
    const forced = await booster([...args, "--force"], { env: apiEnv(home) })
    expect(forced.code).toBe(0)
    expect(forced.stderr).toContain("duplicate protection off")
    expect(forced.stderr).toContain(journal)
    expect(exportPosts()).toBe(before + 1)
  })

  it("refuses before sending when the state folder cannot be created, and --force sends unguarded", async () => {
    const home = freshHome()
    // the state home is a file: nothing can be created under it, for root too (ENOTDIR)
    writeFileSync(home.env.XDG_STATE_HOME, "")
    const key = join(home.env.XDG_STATE_HOME, "booster-export", "fingerprint.key")
    const args = ["export", "--brand", "CAR", "--pos-code", "PT200", YES]
    const before = exportPosts()
    const refused = await booster(args, { env: apiEnv(home) })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(key)
    expect(refused.stderr).toContain("ENOTDIR")
    expect(refused.stderr).toContain("--force")
    expect(exportPosts()).toBe(before)
    const forced = await booster([...args, "--force", "--json"], { env: apiEnv(home) })
    expect(forced.code).toBe(0)
    expect(forced.stderr).toContain("duplicate protection off")
    expect(parseJson(forced.stdout).asyncTaskId).toEqual(expect.any(String))
    expect(exportPosts()).toBe(before + 1)
  })
})
