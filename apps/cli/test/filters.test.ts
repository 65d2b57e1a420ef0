import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { booster, ensureBuilt, freshHome, parseJson } from "./helpers.js"

beforeAll(() => ensureBuilt(), 120_000)

const API = { BOOSTER_BASE_URL: "https://booster.example.com/api", BOOSTER_API_KEY: "k" }
const TZ = "Pacific/Kiritimati" // UTC+14: "today" there is often not today in UTC

/** Today's date in a time zone, shifted by whole days, as YYYY-MM-DD (computed apart from the CLI). */
const dayIn = (timeZone: string, shiftDays = 0) => {
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone }).format(new Date())
  const date = new Date(`${today}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + shiftDays)
  return date.toISOString().slice(0, 10)
}

const setup = () => {
  const home = freshHome()
  return { home, env: { ...home.env, ...API, TZ } }
}

const dryBody = async (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const result = await booster(["export", ...args, "--dry-run", "--json"], { env })
  expect(result.stderr).toBe("")
  expect(result.code).toBe(0)
  const { downloadRequestId: _, ...body } = parseJson(result.stdout).body as Record<string, unknown>
  return body
}

describe("saved filters", () => {
  it("save a filter with relative dates that resolve at run time; flags given then replace saved fields", async () => {
    const { env } = setup()
    const saved = await booster(
      [
        "filters",
        "save",
        "recent",
        "--brand",
        "CAR",
        "--pos-code",
        "ES100",
        "--customer-status",
        "Client",
        "--creation-date-from",
        "-30d"
      ],
      { env }
    )
    expect(saved.code).toBe(0)
    const body = await dryBody(["--filter", "recent", "--pos-code", "IT200"], env)
    expect(body).toEqual({
      brand: "CAR",
      posCodes: ["IT200"],
      customerStatus: ["Client"],
      creationDateFrom: dayIn(TZ, -30)
    })
    // the same request as the resolved filter written out: same body, hence the same fingerprint
    expect(
      await dryBody(
        [
          "--brand",
          "CAR",
          "--pos-code",
          "IT200",
          "--customer-status",
          "Client",
          "--creation-date-from",
          dayIn(TZ, -30)
        ],
        env
      )
    ).toEqual(body)
    const human = await booster(["export", "--filter", "recent", "--dry-run"], { env })
    expect(human.stderr).toContain(`created on or after ${dayIn(TZ, -30)}`)
    const shown = await booster(["filters", "show", "recent"], { env })
    expect(shown.stdout).toContain("--creation-date-from -30d")
    expect(shown.stdout).toContain(dayIn(TZ, -30))
    const stored = JSON.parse(
      readFileSync(join(env.XDG_CONFIG_HOME, "booster-export", "filters.json"), "utf8")
    )
    expect(stored.filters.recent.filter.creationDateFrom).toBe("-30d")
  })

  it("resolve date flags and birth months given directly, in the local time zone", async () => {
    const { env } = setup()
    const body = await dryBody(
      [
        "--brand",
        "CAR",
        "--pos-code",
        "ES100",
        "--transaction-date-from",
        "yesterday",
        "--transaction-date-to",
        "today",
        "--creation-date-from",
        "start-of-month",
        "--birthdate-month",
        "this"
      ],
      env
    )
    expect(body).toMatchObject({
      transactionDateFrom: dayIn(TZ, -1),
      transactionDateTo: dayIn(TZ, 0),
      creationDateFrom: `${dayIn(TZ, 0).slice(0, 8)}01`,
      birthdateMonths: [Number(dayIn(TZ, 0).slice(5, 7))]
    })
  })

  it("refuse a bad expression naming the flag and the accepted forms (exit 2)", async () => {
    const { env } = setup()
    for (const args of [
      ["export", "--brand", "CAR", "--pos-code", "ES100", "--creation-date-to", "last-week", "--dry-run"],
      ["filters", "save", "x", "--creation-date-to", "last-week"]
    ]) {
      const result = await booster(args, { env })
      expect(result.code).toBe(2)
      expect(result.stderr).toContain("--creation-date-to (creationDateTo)")
      expect(result.stderr).toContain("today, yesterday, -Nd")
    }
    const month = await booster(
      ["export", "--brand", "C", "--pos-code", "P", "--birthdate-month", "soon", "--json"],
      {
        env
      }
    )
    expect(month.code).toBe(2)
    expect(parseJson(month.stderr).issues).toEqual([
      expect.objectContaining({ flag: "--birthdate-month", rule: "relative-month" })
    ])
  })

  it("refuse personal values unless --allow-personal, never show them, and keep the file private", async () => {
    const { env } = setup()
    const email = "jane.doe@example.com"
    const refused = await booster(["filters", "save", "vip", "--brand", "CAR", "--email", email], { env })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("--email")
    expect(refused.stderr).not.toContain(email)
    const list = await booster(["filters", "list", "--json"], { env })
    expect(JSON.parse(list.stdout)).toEqual([])
    const allowed = await booster(
      [
        "filters",
        "save",
        "vip",
        "--brand",
        "CAR",
        "--email",
        email,
        "--search-key",
        "Doe",
        "--allow-personal"
      ],
      { env }
    )
    expect(allowed.code).toBe(0)
    for (const args of [
      ["filters", "show", "vip"],
      ["filters", "show", "vip", "--json"],
      ["filters", "list"]
    ]) {
      const result = await booster(args, { env })
      expect(result.code).toBe(0)
      expect(result.stdout + result.stderr).not.toContain(email)
      expect(result.stdout + result.stderr).not.toContain("Doe")
    }
    const shown = await booster(["filters", "show", "vip", "--json"], { env })
    expect(parseJson(shown.stdout).filter).toEqual({
      brand: "CAR",
      email: "<personal value, not shown>",
      searchKey: "<personal value, not shown>"
    })
    const folder = join(env.XDG_CONFIG_HOME, "booster-export")
    expect(statSync(join(folder, "filters.json")).mode & 0o777).toBe(0o600)
    expect(statSync(folder).mode & 0o777).toBe(0o700)
  })

  it("validate names and values, list and remove", async () => {
    const { env } = setup()
    for (const bad of ["../x", "a/b", ".hidden", ""]) {
      const result = await booster(["filters", "save", bad, "--brand", "CAR"], { env })
      expect(result.code).toBe(2)
    }
    const invalid = await booster(["filters", "save", "x", "--birthdate-month", "13"], { env })
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain("--birthdate-month")
    expect((await booster(["filters", "save", "a", "--customer-status", "Client"], { env })).code).toBe(0)
    expect((await booster(["filters", "save", "b", "--hobby", "=ART"], { env })).code).toBe(0)
    const listed = await booster(["filters", "list"], { env })
    expect(listed.stdout).toMatch(/^a\s+customers\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s+--customer-status$/m)
    expect((await booster(["filters", "remove", "a"], { env })).code).toBe(0)
    const after = await booster(["filters", "list", "--json"], { env })
    expect((JSON.parse(after.stdout) as Array<{ name: string }>).map((f) => f.name)).toEqual(["b"])
    const missing = await booster(["export", "--filter", "a", "--dry-run"], { env })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("Saved filters: b")
  })
})
