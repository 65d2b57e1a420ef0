/**
 * An assistant that asks summarize_export_file about exports it chose cannot learn one customer's
 * values: real exports from the sandbox, downloaded and summarised through the official MCP client,
 * attacked by subtraction (two exports differing by her, by Booster id or by adjacent creation
 * dates; two halves against the whole), by a country minus its points of sale, and by asking again until
 * the noise averages out, which the privacy budget stops.
 */
import { DiscreteLaplace } from "@booster-export/core"
import { Customers, type Sandbox } from "@booster-export/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Connected,
  connectStdio,
  type McpClient,
  sandboxEnv,
  serverEnv,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf
} from "./harness.js"
import { clusterUrl, freshDatabase, skipReason } from "./pg.js"

const SEED = 1
const CUSTOMERS = 40_000
const customers = Array.from({ length: CUSTOMERS }, (_, i) => Customers.generate(SEED, i, ["CAR"]))

interface Released {
  readonly rows: number
  readonly margin?: number
  readonly epsilon?: number
  readonly dimensions: ReadonlyArray<{
    readonly name: string
    readonly groups: ReadonlyArray<{
      readonly value: string
      readonly count: number
      readonly within?: string
    }>
  }>
}

const released = (result: unknown): Released => (result as { structuredContent: Released }).structuredContent

const groupsOf = (summary: Released, name: string): Record<string, number> =>
  Object.fromEntries(
    (summary.dimensions.find((d) => d.name === name)?.groups ?? []).map((g) => [g.value, g.count])
  )

/** A month's name as the summary gives it: `January` for 1. */
const monthName = (month: number): string =>
  new Date(Date.UTC(2000, month - 1, 1)).toLocaleString("en", { month: "long", timeZone: "UTC" })

/** Her group in each single-valued dimension, as the summary names it. */
const groupsOfHer = (her: Customers.Customer): Record<string, string> => ({
  country: her.locationCountryId,
  status: her.customerStatus,
  contactConsent: String(her.canBeContactedByMaison),
  creationYear: her.creationDate.slice(0, 4),
  birthMonth: monthName(her.birthMonth),
  pointOfSale: her.posCode
})

/**
 * What an attacker reads off two summaries whose exports differ by her: for every dimension, the
 * groups shown in both whose count went up by exactly one and none other changed. True when every
 * dimension of hers reads exactly so: her values recovered.
 */
const recovered = (without: Released, withHer: Released, her: Customers.Customer): boolean =>
  withHer.rows - without.rows === 1 &&
  Object.entries(groupsOfHer(her)).every(([name, value]) => {
    const before = groupsOf(without, name)
    const after = groupsOf(withHer, name)
    const changed = Object.keys(after).filter(
      (group) => before[group] !== undefined && after[group] !== before[group]
    )
    return changed.length === 1 && changed[0] === value && after[value]! - before[value]! === 1
  })

let sandbox: Sandbox.RunningSandbox
const cleanups: Array<() => Promise<void>> = []

beforeAll(async () => {
  sandbox = await startSandbox({ customers: CUSTOMERS, brands: ["CAR"], seed: SEED, taskDurationMs: 0 })
})

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  await sandbox?.close()
})

/** A server with a state of its own; `env` adds to the sandbox's environment. */
const server = async (env: Record<string, string> = {}): Promise<Connected> => {
  const dirs = await tempDirs()
  const connected = await connectStdio([], serverEnv(dirs, { ...sandboxEnv(sandbox), ...env }))
  cleanups.push(async () => {
    await connected.close()
    await dirs.remove()
  })
  return connected
}

/** Starts, follows and downloads the export of `filter`; its task id. */
const exportOf = async (client: McpClient, filter: Record<string, unknown>): Promise<string> => {
  const started = await startWithConsent(client, { brand: "CAR", ...filter })
  expect(started.isError, textOf(started)).toBeFalsy()
  const id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
  await client.callTool("get_export_task", { asyncTaskId: id, waitSeconds: 60 }, { timeout: 90_000 })
  const downloaded = await client.callTool("download_export_file", { asyncTaskId: id }, { timeout: 90_000 })
  expect(downloaded.isError, textOf(downloaded)).toBeFalsy()
  return id
}

const summarize = (client: McpClient, asyncTaskId: string, extra: Record<string, unknown> = {}) =>
  client.callTool("summarize_export_file", { asyncTaskId, ...extra }, { timeout: 90_000 })

/** A budget large enough for the attacks below, so that what they meet is the noise alone. */
const ROOMY = { BOOSTER_SUMMARY_EPSILON_PER_DAY: "1000" }

describe("summarize_export_file against an attacker", () => {
  it("two exports differing by one customer's Booster id: the difference of their summaries is noise, not her", async () => {
    const { client } = await server(ROOMY)
    const posCodes = ["IT100", "IT200", "FR100"]
    const pool = customers.filter((c) => posCodes.includes(c.posCode)).slice(0, 1_600)
    const her = pool[pool.length - 1]!
    const others = pool.slice(0, -1).map((c) => c.boosterCustomerId)
    const without = await exportOf(client, { posCodes, boosterCustomerIds: others })
    const withHer = await exportOf(client, {
      posCodes,
      boosterCustomerIds: [...others, her.boosterCustomerId]
    })
    const a = await summarize(client, without)
    const b = await summarize(client, withHer)
    expect(a.isError, textOf(a)).toBeFalsy()
    expect(recovered(released(a), released(b), her)).toBe(false)
    // the answer says the counts are approximate and by how much
    const summary = released(b)
    expect(summary.epsilon).toBe(1)
    expect(summary.margin).toBeGreaterThan(0)
    expect(textOf(b)).toContain(`±${summary.margin}`)
    expect(textOf(b)).toMatch(/approximate/i)
    expect(Math.abs(summary.rows - pool.length)).toBeLessThanOrEqual(summary.margin! * 4)
  })

  it("adjacent creation-date ranges that differ by one customer: the difference is noise, not her", async () => {
    const { client } = await server(ROOMY)
    const at = customers.filter((c) => c.posCode === "IT200")
    const byDay = new Map<string, Array<Customers.Customer>>()
    for (const c of at) byDay.set(c.creationDate, [...(byDay.get(c.creationDate) ?? []), c])
    // a day in 2020 on which exactly one customer of IT200 was created
    const day = [...byDay.keys()].sort().find((d) => d >= "2020-06-01" && byDay.get(d)!.length === 1)!
    const her = byDay.get(day)![0]!
    const before = new Date(Date.parse(day) - 86_400_000).toISOString().slice(0, 10)
    const range = { posCodes: ["IT200"], creationDateFrom: "2015-01-01" }
    const without = await exportOf(client, { ...range, creationDateTo: before })
    const withHer = await exportOf(client, { ...range, creationDateTo: day })
    const a = released(await summarize(client, without))
    const b = released(await summarize(client, withHer))
    expect(recovered(a, b, her)).toBe(false)
  })

  it("three exports combined (two halves without her, one whole with her): the difference is noise, not her", async () => {
    const { client } = await server(ROOMY)
    const posCodes = ["IT100", "FR100"]
    const pool = customers.filter((c) => posCodes.includes(c.posCode)).slice(1_000, 2_201)
    expect(pool).toHaveLength(1_201)
    const her = pool[1_200]!
    const ids = pool.map((c) => c.boosterCustomerId)
    const first = await exportOf(client, { posCodes, boosterCustomerIds: ids.slice(0, 600) })
    const second = await exportOf(client, { posCodes, boosterCustomerIds: ids.slice(600, 1_200) })
    const whole = await exportOf(client, { posCodes, boosterCustomerIds: ids })
    const [a, b, c] = [
      released(await summarize(client, first)),
      released(await summarize(client, second)),
      released(await summarize(client, whole))
    ]
    // the attacker adds the two halves' counts, group by group, and subtracts them from the whole
    const halves: Released = {
      rows: a.rows + b.rows,
      dimensions: a.dimensions.map((dimension) => {
        const other = groupsOf(b, dimension.name)
        return {
          name: dimension.name,
          groups: dimension.groups.flatMap((group) =>
            other[group.value] === undefined
              ? []
              : [{ value: group.value, count: group.count + other[group.value]! }]
          )
        }
      })
    }
    expect(recovered(halves, c, her)).toBe(false)
  })

  it("a country minus its shown points of sale never gives back a withheld point of sale", async () => {
    const { client } = await server(ROOMY)
    // Italy and France with two large points of sale each and a third of 2 and 3 customers: one
    // withheld point of sale in each country, two in the dimension
    const large = customers.filter((c, i) => i < 20_000 && /^(IT|FR)[12]00$/.test(c.posCode))
    const small = [
      ...customers.filter((c) => c.posCode === "IT300").slice(0, 2),
      ...customers.filter((c) => c.posCode === "FR300").slice(0, 3)
    ]
    const id = await exportOf(client, {
      posCodes: ["IT100", "IT200", "IT300", "FR100", "FR200", "FR300"],
      boosterCustomerIds: [...large, ...small].map((c) => c.boosterCustomerId)
    })
    for (let i = 0; i < 4; i++) {
      const result = await summarize(client, id)
      expect(result.isError, textOf(result)).toBeFalsy()
      const summary = released(result)
      const countries = groupsOf(summary, "country")
      const pos = summary.dimensions.find((d) => d.name === "pointOfSale")!.groups
      expect(pos.map((g) => g.value)).not.toContain("IT300")
      expect(pos.map((g) => g.value)).not.toContain("FR300")
      for (const country of ["it", "fr"]) {
        if (countries[country] === undefined) continue
        const inside = pos.filter((g) => g.value.startsWith(country.toUpperCase()))
        const rest = countries[country]! - inside.reduce((s, g) => s + g.count, 0)
        // never one small group (2 and 3 customers; the minimum group size is 10)
        expect(rest < 1 || rest >= 10).toBe(true)
      }
    }
  })

  it("refuses once the day's privacy budget is spent, before enough answers to average the noise away", async () => {
    const { client } = await server()
    const posCodes = ["ES100"]
    const pool = customers.filter((c) => c.posCode === "ES100").slice(0, 900)
    const her = pool[0]!
    const others = pool.slice(1).map((c) => c.boosterCustomerId)
    const without = await exportOf(client, { posCodes, boosterCustomerIds: others })
    const withHer = await exportOf(client, {
      posCodes,
      boosterCustomerIds: [her.boosterCustomerId, ...others]
    })
    // the least noisy summary there is: the status alone; three of them fit in the default day
    const answers = [
      await summarize(client, without, { dimensions: ["status"] }),
      await summarize(client, withHer, { dimensions: ["status"] }),
      await summarize(client, withHer, { dimensions: ["status"] })
    ]
    for (const answer of answers) expect(answer.isError, textOf(answer)).toBeFalsy()
    // one customer changes the total and one status: noise of scale 2 / ε, here 2
    const scale = 2
    expect(released(answers[0]).margin).toBe(DiscreteLaplace.margin(scale))
    expect(released(answers[0]).dimensions.map((d) => d.name)).toEqual(["status"])
    const refused = await summarize(client, withHer, { dimensions: ["status"] })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toMatch(/privacy budget/)
    expect(textOf(refused)).toMatch(/returns at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/)
    expect(textOf(refused)).not.toContain(her.email)

    // what those three answers can tell of her status: the best guess from two summaries with her
    // and one without, at the scale they carry, names it hardly more often than chance …
    const statuses = Customers.statuses
    const recover = (withHerCount: number, withoutCount: number, trials: number) => {
      const random = DiscreteLaplace.secureRandom()
      const noise = DiscreteLaplace.scale(scale, 1)
      let right = 0
      for (let t = 0; t < trials; t++) {
        const truth = t % statuses.length
        let best = -1
        let bestValue = Number.NEGATIVE_INFINITY
        for (let s = 0; s < statuses.length; s++) {
          let sum = 0
          for (let i = 0; i < withHerCount; i++)
            sum += (s === truth ? 1 : 0) + DiscreteLaplace.sample(noise, random)
          let base = 0
          for (let i = 0; i < withoutCount; i++) base += DiscreteLaplace.sample(noise, random)
          const value = sum / withHerCount - base / withoutCount
          if (value > bestValue) [best, bestValue] = [s, value]
        }
        if (best === truth) right++
      }
      return right / trials
    }
    expect(recover(2, 1, 4_000)).toBeLessThan(1 / statuses.length + 0.15)
    // … where the hundreds of answers the budget refuses would name it almost always
    expect(recover(150, 150, 400)).toBeGreaterThan(0.9)
  })
})

describe.skipIf(clusterUrl === undefined)("summarize_export_file's privacy budget in a team database", () => {
  if (clusterUrl === undefined) console.warn(`team budget test skipped: ${skipReason}`)
  it("is the team's: summaries on two machines together stop at the day's budget", async () => {
    const journalUrl = await freshDatabase()
    const team = { BOOSTER_JOURNAL_URL: journalUrl, BOOSTER_SUMMARY_EPSILON_PER_DAY: "2" }
    const first = await server(team)
    const second = await server(team)
    const ids = customers.filter((c) => c.posCode === "FR200").slice(0, 500)
    const a = await exportOf(first.client, {
      posCodes: ["FR200"],
      boosterCustomerIds: ids.map((c) => c.boosterCustomerId)
    })
    const b = await exportOf(second.client, {
      posCodes: ["FR200"],
      boosterCustomerIds: ids.slice(1).map((c) => c.boosterCustomerId)
    })
    expect((await summarize(first.client, a)).isError).toBeFalsy()
    expect((await summarize(second.client, b)).isError).toBeFalsy()
    const refused = await summarize(first.client, a)
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toMatch(/privacy budget/)
    expect((await summarize(second.client, b)).isError).toBe(true)
  })
})
