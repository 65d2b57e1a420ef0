import { createHash } from "node:crypto"
import { readFile, realpath, rm, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Downloads from "@booster-export/journal/Downloads"
import type { Sandbox } from "@booster-export/sandbox"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Connected,
  connectStdio,
  filter,
  sandboxEnv,
  serverEnv,
  startSandbox,
  startWithConsent,
  tempDirs,
  textOf
} from "./harness.js"

let sandbox: Sandbox.RunningSandbox
let dirs: Awaited<ReturnType<typeof tempDirs>>
let server: Connected
let id: string
let file: string

const call = (name: string, args: Record<string, unknown>) =>
  server.client.callTool(name, args, { timeout: 90_000 })

beforeAll(async () => {
  sandbox = await startSandbox({ customers: 30_000 })
  dirs = await tempDirs()
  server = await connectStdio([], serverEnv(dirs, sandboxEnv(sandbox)))
  const started = await startWithConsent(server.client, filter({ locationCountryIds: undefined }))
  id = (started.structuredContent as { asyncTaskId: string }).asyncTaskId
  await call("get_export_task", { asyncTaskId: id, waitSeconds: 60 })
  const downloaded = await call("download_export_file", { asyncTaskId: id })
  file = (downloaded.structuredContent as { path: string }).path
})

afterAll(async () => {
  await server?.close()
  await sandbox?.close()
  await dirs?.remove()
})

describe("summarize_export_file", () => {
  it("answers with approximate counts of the downloaded file, within their stated intervals, and never a personal value", async () => {
    const result = await call("summarize_export_file", {
      asyncTaskId: id,
      dimensions: ["pointOfSale", "status"]
    })
    expect(result.isError).toBeFalsy()
    const out = result.structuredContent as {
      rows: number
      margin: number
      minimumGroupSize: number
      minimumGroupSizeRaised: boolean
      dimensions: Array<{
        name: string
        groups: Array<{ value: string; count: number; low: number; high: number }>
      }>
    }
    const text = await readFile(file, "utf8")
    const lines = text.split("\r\n").filter((line) => line !== "")
    // each count is within ± margin of the truth 95 % of the time; within four margins all but never
    const near = (count: number, truth: number) => Math.abs(count - truth) <= 4 * out.margin
    expect(near(out.rows, lines.length - 1)).toBe(true)
    expect(out.minimumGroupSize).toBe(10)
    expect(out.minimumGroupSizeRaised).toBe(false)
    expect(out.dimensions.map((d) => d.name)).toEqual(["status", "pointOfSale"])
    const pos = out.dimensions.find((d) => d.name === "pointOfSale")!
    // both points of sale are large; the smaller is withheld when the total minus the larger would
    // read as one small group (the noise makes that happen now and then)
    expect(pos.groups.length).toBeGreaterThan(0)
    expect(["ES100", "IT200"]).toEqual(expect.arrayContaining(pos.groups.map((g) => g.value)))
    for (const group of pos.groups) {
      const truth = lines.filter((line) => line.includes(`,${group.value},`)).length
      expect(near(group.count, truth)).toBe(true)
      expect([group.low, group.high]).toEqual([
        Math.max(0, group.count - out.margin),
        group.count + out.margin
      ])
    }
    const whole = JSON.stringify(result)
    const emails = text.match(/[^\s,@"]+@[^\s,@"]+/g) ?? []
    expect(emails.length).toBeGreaterThan(out.rows)
    for (const email of new Set(emails)) expect(whole).not.toContain(email)
    for (const row of lines.slice(1, 200)) {
      const [, sapCrmId, , , firstName, lastName, , phone] = row.split(",")
      for (const value of [sapCrmId, `${firstName},${lastName}`, phone]) expect(whole).not.toContain(value)
    }
    expect(textOf(result)).toContain(`about ${out.rows} customers`)
  })

  it("raises a minimum group size below 5 to 5 and says so", async () => {
    const result = await call("summarize_export_file", { asyncTaskId: id, minimumGroupSize: 0 })
    expect(result.structuredContent).toMatchObject({ minimumGroupSize: 5, minimumGroupSizeRaised: true })
    expect(textOf(result)).toContain("(0) is below 5: it was raised to 5")
  })

  it("reads only the file this install recorded, never a path from the assistant", async () => {
    const withPath = await call("summarize_export_file", { asyncTaskId: id, path: "/etc/passwd" })
    expect(withPath.isError).toBe(true)
    const unknown = await call("summarize_export_file", { asyncTaskId: "0123456789abcdef0123456789abcdef" })
    expect(unknown.isError).toBe(true)
    expect(textOf(unknown)).toContain("download_export_file")
  })

  it("refuses a file that changed since the download, even at the same size, and a format it does not know", async () => {
    const original = await readFile(file)
    try {
      await writeFile(file, Buffer.concat([original, Buffer.from("x")]))
      const changed = await call("summarize_export_file", { asyncTaskId: id })
      expect(changed.isError).toBe(true)
      expect(textOf(changed)).toContain("changed since it was downloaded")
      const sameSize = Buffer.from(original)
      sameSize[sameSize.length - 3] = sameSize[sameSize.length - 3] === 0x41 ? 0x42 : 0x41
      await writeFile(file, sameSize)
      const altered = await call("summarize_export_file", { asyncTaskId: id })
      expect(altered.isError).toBe(true)
      expect(textOf(altered)).toContain("changed since it was downloaded")
    } finally {
      await writeFile(file, original)
    }
    // a download of this install whose content is not an export this server reads
    const unknown = Buffer.from('{"not":"csv"}\n')
    const other = "fedcba9876543210fedcba9876543210"
    const path = join(dirs.exportDir, `customer-export-CAR-${other}.json`)
    await writeFile(path, unknown)
    await Effect.runPromise(
      Downloads.make(join(dirs.stateHome, "booster-export")).append({
        event: "downloaded",
        asyncTaskId: other,
        file: path,
        folder: await realpath(dirs.exportDir),
        bytes: unknown.length,
        sha256: createHash("sha256").update(unknown).digest("hex")
      })
    )
    const refused = await call("summarize_export_file", { asyncTaskId: other })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toContain("cannot be summarised")
  })

  it("never reads through a symbolic link put in place of the file it downloaded", async () => {
    const original = await readFile(file)
    const elsewhere = join(dirs.root, "elsewhere.csv")
    await writeFile(elsewhere, original)
    try {
      await rm(file)
      await symlink(elsewhere, file)
      const result = await call("summarize_export_file", { asyncTaskId: id })
      expect(result.isError).toBe(true)
      expect(textOf(result)).toContain("no longer leads to the file downloaded there")
    } finally {
      await rm(file, { force: true })
      await writeFile(file, original)
    }
  })
})
