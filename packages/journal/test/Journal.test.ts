import { execFile } from "node:child_process"
import { mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { Effect, Either, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { bundleFixture, raceAtGate, temporaryFolders } from "../../transport/test/files.js"
import { AuditTrail, Journal } from "../src/index.js"
import { checkAround, fillAround, SINCE } from "./since.js"

const tempDir = temporaryFolders("booster-journal-")

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

describe("Journal.parseLines", () => {
  it("skips lines it cannot read and ignores members it does not know", () => {
    const entries = Journal.parseLines(
      [
        '{"at":"2026-01-01T00:00:00.000Z","source":"cli","event":"started","asyncTaskId":"a","fingerprint":"sha256:1","extra":true}',
        "{torn",
        '{"at":"2026-01-01T00:00:01.000Z"}',
        "[]",
        '{"at":"2026-01-01T00:00:01.500Z","asyncTaskId":"b","bytes":"many"}',
        '{"at":"2026-01-01T00:00:02.000Z","event":"downloaded","asyncTaskId":"a","file":"/x","bytes":3}',
        ""
      ].join("\n")
    )
    expect(entries).toEqual([
      {
        at: "2026-01-01T00:00:00.000Z",
        source: "cli",
        event: "started",
        asyncTaskId: "a",
        fingerprint: "sha256:1"
      },
      { at: "2026-01-01T00:00:02.000Z", event: "downloaded", asyncTaskId: "a", file: "/x", bytes: 3 }
    ])
    expect(entries.map(Journal.isStart)).toEqual([true, false])
  })
})

describe("Journal.make", () => {
  it("appends private lines to journal.jsonl and reads them with the older history.jsonl, oldest first", async () => {
    const directory = join(await tempDir(), "state", "booster-export")
    const journal = Journal.make(directory)
    await run(
      journal.append({
        at: "2026-01-01T00:00:05.000Z",
        source: "mcp",
        event: "started",
        asyncTaskId: "m",
        purpose: "Ticket OPS-142"
      })
    )
    await writeFile(
      join(directory, "history.jsonl"),
      '{"at":"2026-01-01T00:00:01.000Z","event":"started","asyncTaskId":"c"}\nnot json\n'
    )
    expect(journal.path).toBe(join(directory, "journal.jsonl"))
    const text = await readFile(journal.path, "utf8")
    expect(text.endsWith("}\n")).toBe(true)
    expect(JSON.parse(text)).toEqual({
      at: "2026-01-01T00:00:05.000Z",
      actor: Journal.actor(),
      source: "mcp",
      event: "started",
      asyncTaskId: "m",
      // the chain holds the purpose's keyed hash; its text is kept beside, in purposes.jsonl
      purposeHmac: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      seq: 1,
      prev: "0".repeat(64),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/)
    })
    expect(Journal.actor()).toMatch(/^.+@.+$/)
    expect((await stat(journal.path)).mode & 0o777).toBe(0o600)
    expect((await stat(directory)).mode & 0o777).toBe(0o700)
    expect((await stat(join(directory, Journal.PURPOSES_FILE))).mode & 0o777).toBe(0o600)
    const entries = await run(journal.entries)
    expect(entries.map((entry) => entry.asyncTaskId)).toEqual(["c", "m"])
    expect(entries[1]!.purpose).toBe("Ticket OPS-142")
  })

  it("stamps the time when none is given and leaves out a purpose that looks personal", async () => {
    const journal = Journal.make(await tempDir())
    const before = Date.now()
    await run(
      journal.append({ source: "cli", event: "started", asyncTaskId: "x", purpose: "call jane@example.com" })
    )
    await run(
      journal.append({ source: "cli", event: "started", asyncTaskId: "y", purpose: "+39 333 1234567" })
    )
    const text = await readFile(journal.path, "utf8")
    expect(text).not.toContain("example.com")
    expect(text).not.toContain("1234567")
    const entries = await run(journal.entries)
    expect(entries.map((entry) => entry.purpose)).toEqual([undefined, undefined])
    expect(Date.parse(entries[0]!.at)).toBeGreaterThanOrEqual(before - 1000)
  })

  it("keeps every line when many are appended at once", async () => {
    const journal = Journal.make(await tempDir())
    await run(
      Effect.forEach(
        Array.from({ length: 200 }, (_, i) => i),
        (i) =>
          journal.append({ source: i % 2 === 0 ? "cli" : "mcp", event: "started", asyncTaskId: `t${i}` }),
        { concurrency: "unbounded" }
      )
    )
    const entries = await run(journal.entries)
    expect(new Set(entries.map((entry) => entry.asyncTaskId)).size).toBe(200)
    // appends took turns: one unbroken chain of 200 entries
    expect(AuditTrail.verify(await run(journal.trail))).toMatchObject({ ok: true, entries: 200 })
  })

  it("reads an absent journal as empty and fails a write it cannot make", async () => {
    const root = await tempDir()
    expect(await run(Journal.make(join(root, "nowhere")).entries)).toEqual([])
    await writeFile(join(root, "file"), "")
    const error = await run(
      Effect.flip(
        Journal.make(join(root, "file")).append({ source: "cli", event: "started", asyncTaskId: "z" })
      )
    )
    expect(error._tag).toBe("JournalError")
    expect(error.message).toContain(join(root, "file", "journal.jsonl"))
  })

  it("reads the entries since a time, with the older starts of their tasks, from both files", async () => {
    const directory = await tempDir()
    const journal = Journal.make(directory)
    await fillAround(journal)
    await checkAround(journal)
    // lines of the older history.jsonl count too, and an unreadable line is skipped
    await writeFile(
      join(directory, "history.jsonl"),
      '{"at":"2026-02-05T00:00:00.000Z","event":"started","asyncTaskId":"h"}\nnot json\n{"at":"2025-12-01T00:00:00.000Z","event":"started","asyncTaskId":"old"}\n'
    )
    const since = await run(journal.entriesSince(SINCE))
    expect(since.map((entry) => entry.asyncTaskId)).toEqual(["a", "a", "c", "a", "h"])
    // no journal yet: nothing, not an error; a device in its place is not read endlessly
    expect(await run(Journal.make(join(directory, "nowhere")).entriesSince(SINCE))).toEqual([])
    const device = await tempDir()
    await symlink("/dev/zero", join(device, "journal.jsonl"))
    expect(await run(Journal.make(device).entriesSince(SINCE))).toEqual([])
  })

  it("is provided by Journal.layer", async () => {
    const directory = await tempDir()
    await mkdir(directory, { recursive: true })
    const entries = await run(
      Effect.gen(function* () {
        const journal = yield* Journal.Journal
        yield* journal.append({ source: "mcp", event: "started", asyncTaskId: "l" })
        return yield* journal.entries
      }).pipe(Effect.provide(Journal.layer(directory)))
    )
    expect(entries.map((entry) => entry.asyncTaskId)).toEqual(["l"])
  })
})

describe("Journal.recentStart", () => {
  const fingerprint = `hmac-sha256:${"a".repeat(64)}`
  const now = Date.parse("2026-01-02T00:00:00.000Z")
  const at = (ms: number) => new Date(now - ms).toISOString()
  const entries: ReadonlyArray<Journal.Entry> = [
    {
      at: at(60 * 60_000),
      source: "cli",
      event: "started",
      asyncTaskId: "old",
      fingerprint,
      host: "api:443"
    },
    {
      at: at(10 * 60_000),
      source: "mcp",
      event: "started",
      asyncTaskId: "new",
      fingerprint,
      host: "api:443"
    },
    { at: at(5 * 60_000), source: "cli", event: "started", asyncTaskId: "other", fingerprint, host: "b:443" },
    {
      at: at(60_000),
      source: "cli",
      event: "downloaded",
      asyncTaskId: "new",
      fingerprint,
      host: "api:443",
      file: "/f"
    }
  ]

  it("finds the latest start of the same filter on the same host, whoever recorded it", () => {
    expect(
      Journal.recentStart(entries, { fingerprint, host: "api:443", now, windowMs: 15 * 60_000 })?.asyncTaskId
    ).toBe("new")
    expect(
      Journal.recentStart(entries.slice(0, 1), { fingerprint, host: "api:443", now, windowMs: 24 * 3600_000 })
        ?.asyncTaskId
    ).toBe("old")
  })

  it("ignores starts outside the window, of another filter or another host", () => {
    expect(
      Journal.recentStart(entries.slice(0, 1), { fingerprint, host: "api:443", now, windowMs: 15 * 60_000 })
    ).toBeUndefined()
    expect(
      Journal.recentStart(entries, {
        fingerprint: `hmac-sha256:${"b".repeat(64)}`,
        host: "api:443",
        now,
        windowMs: 3600_000
      })
    ).toBeUndefined()
    expect(
      Journal.recentStart(entries, { fingerprint, host: "c:443", now, windowMs: 3600_000 })
    ).toBeUndefined()
  })

  it("never matches the unkeyed fingerprints older versions wrote", () => {
    const unkeyed = `sha256:${"a".repeat(64)}`
    const old: Journal.Entry = { at: at(1000), event: "started", asyncTaskId: "old", fingerprint: unkeyed }
    expect(
      Journal.recentStart([old], { fingerprint: unkeyed, host: "c:443", now, windowMs: 60_000 })
    ).toBeUndefined()
    expect(Journal.rows([old])[0]?.fingerprint).toBe(unkeyed)
  })

  it("matches an older line without a host on any host", () => {
    const legacy: Journal.Entry = { at: at(1000), event: "started", asyncTaskId: "legacy", fingerprint }
    expect(
      Journal.recentStart([legacy], { fingerprint, host: "c:443", now, windowMs: 60_000 })?.asyncTaskId
    ).toBe("legacy")
  })
})

describe("Journal.rows", () => {
  it("gives each row its export kind: a stock task stays stock through its later lines, an old line is customers", () => {
    const rows = Journal.rows([
      { at: "2026-01-01T00:00:00.000Z", event: "started", asyncTaskId: "s", kind: "stock" },
      { at: "2026-01-01T00:00:01.000Z", event: "started", asyncTaskId: "c" },
      { at: "2026-01-01T00:00:02.000Z", event: "completed", asyncTaskId: "s", status: "COM" }
    ])
    expect(rows.map((row) => [row.asyncTaskId, row.kind])).toEqual([
      ["s", "stock"],
      ["c", "customers"]
    ])
  })

  it("folds the lines of both front ends into one row per task, most recently updated first", () => {
    const rows = Journal.rows([
      {
        at: "2026-01-01T00:00:00.000Z",
        source: "mcp",
        event: "started",
        asyncTaskId: "a",
        fingerprint: "sha256:1",
        brand: "CAR",
        description: "VIC clients of CAR in IT or FR",
        purpose: "OPS-1"
      },
      { at: "2026-01-01T00:00:01.000Z", event: "started", asyncTaskId: "b", fingerprint: "sha256:2" },
      { at: "2026-01-01T00:00:02.000Z", source: "cli", event: "completed", asyncTaskId: "a", status: "COM" },
      {
        at: "2026-01-01T00:00:03.000Z",
        source: "cli",
        event: "downloaded",
        asyncTaskId: "a",
        file: "/x.csv",
        bytes: 10,
        sha256: "ff"
      }
    ])
    expect(rows).toEqual([
      {
        asyncTaskId: "a",
        kind: "customers",
        source: "mcp",
        startedAt: "2026-01-01T00:00:00.000Z",
        fingerprint: "sha256:1",
        downloadRequestId: undefined,
        host: undefined,
        brand: "CAR",
        description: "VIC clients of CAR in IT or FR",
        purpose: "OPS-1",
        status: "COM",
        file: "/x.csv",
        bytes: 10,
        sha256: "ff",
        updatedAt: "2026-01-01T00:00:03.000Z"
      },
      {
        asyncTaskId: "b",
        kind: "customers",
        source: undefined,
        startedAt: "2026-01-01T00:00:01.000Z",
        fingerprint: "sha256:2",
        downloadRequestId: undefined,
        host: undefined,
        brand: undefined,
        description: undefined,
        purpose: undefined,
        status: "started",
        file: undefined,
        bytes: undefined,
        sha256: undefined,
        updatedAt: "2026-01-01T00:00:01.000Z"
      }
    ])
  })
})

describe("Journal.withStartLock", () => {
  const key = { fingerprint: `hmac-sha256:${"f".repeat(64)}`, host: "booster.example.com" }
  const lockFiles = async (directory: string) => readdir(join(directory, "locks")).catch(() => [])

  /** Runs `count` processes at once that each start the same filter unless the journal has it. */
  const race = async (count: number, env: Record<string, string> = {}) => {
    const directory = await tempDir()
    const script = await bundleFixture(new URL("./fixtures/start-race.ts", import.meta.url), await tempDir())
    const gate = await tempDir()
    // every process is up and waiting: let them all go at once
    const outcomes = await raceAtGate(gate, count, () =>
      promisify(execFile)(process.execPath, [script, directory, key.fingerprint, gate], {
        env: { ...process.env, ...env },
        encoding: "utf8"
      }).then((out) => out.stdout.trim())
    )
    return { directory, outcomes: outcomes.sort() }
  }

  it("lets one of several processes starting the same filter at once start it; the others see it", async () => {
    const { directory, outcomes } = await race(6)
    expect(outcomes).toEqual(["reused", "reused", "reused", "reused", "reused", "started"])
    expect(await lockFiles(directory)).toEqual([])
    // the race is real: without the lock, more than one process starts the same filter
    const unguarded = await race(6, { NO_LOCK: "1" })
    expect(unguarded.outcomes.filter((o) => o === "started").length).toBeGreaterThan(1)
  }, 60_000)

  /** The lock file's path, read while the lock is held. */
  const lockPath = async (directory: string) => {
    const names = await run(
      Effect.promise(() => lockFiles(directory)).pipe(Journal.withStartLock(directory, key))
    )
    expect(names).toHaveLength(1)
    expect(await lockFiles(directory)).toEqual([])
    return join(directory, "locks", names[0]!)
  }

  it("takes over a lock left by a process that has ended, or one held longer than the stale age", async () => {
    const directory = await tempDir()
    const path = await lockPath(directory)
    const ended = await promisify(execFile)(process.execPath, ["-e", "console.log(process.pid)"], {
      encoding: "utf8"
    })
    await writeFile(path, JSON.stringify({ token: "gone", pid: Number(ended.stdout), host: hostname() }))
    expect(await run(Effect.succeed("ran").pipe(Journal.withStartLock(directory, key)))).toBe("ran")
    expect(await lockFiles(directory)).toEqual([])
    // held by a live process (this one) but for longer than the stale age
    await writeFile(path, JSON.stringify({ token: "alive", pid: process.pid, host: hostname() }))
    const old = new Date(Date.now() - 60_000)
    await utimes(path, old, old)
    expect(
      await run(Effect.succeed("ran").pipe(Journal.withStartLock(directory, key, { staleMs: 30_000 })))
    ).toBe("ran")
    expect(await lockFiles(directory)).toEqual([])
  })

  it("lets one process at a time in when several take over the same stale lock at once (20 rounds × 4 processes)", async () => {
    const directory = await tempDir()
    const path = await lockPath(directory)
    const gate = await tempDir()
    const log = join(await tempDir(), "log")
    await writeFile(log, "")
    const script = await bundleFixture(
      new URL("./fixtures/lock-takeover.ts", import.meta.url),
      await tempDir()
    )
    const ended = Number(
      (await promisify(execFile)(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }))
        .stdout
    )
    const count = 4
    const rounds = 20
    const children = Array.from({ length: count }, () =>
      promisify(execFile)(process.execPath, [script, directory, gate, log, key.fingerprint, String(rounds)], {
        encoding: "utf8"
      })
    )
    const announced = async (prefix: string) => {
      while ((await readdir(gate)).filter((name) => name.startsWith(prefix)).length < count) {
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }
    for (let round = 0; round < rounds; round++) {
      await announced(`ready-${round}-`)
      // left by a process that has ended: every process finds it stale at the same instant
      await writeFile(path, JSON.stringify({ token: `crashed-${round}`, pid: ended, host: hostname() }))
      await writeFile(join(gate, `go-${round}`), "")
      await announced(`done-${round}-`)
    }
    await Promise.all(children)
    const events = (await readFile(log, "utf8")).trim().split("\n")
    expect(events).toHaveLength(2 * count * rounds)
    // at every instant at most one holder: each enter is followed by the same process's exit
    for (let i = 0; i < events.length; i += 2) {
      const [enter, exit] = [events[i]!.split(" "), events[i + 1]!.split(" ")]
      expect([enter[0], exit[0], exit[1]]).toEqual(["enter", "exit", enter[1]])
    }
    expect(await lockFiles(directory)).toEqual([])
  }, 60_000)

  it("waits while another live process holds the lock, and stops waiting at once when interrupted", async () => {
    const directory = await tempDir()
    const path = await lockPath(directory)
    const held = JSON.stringify({ token: "other", pid: process.pid, host: hostname() })
    await writeFile(path, held)
    let ran = false
    const fiber = Effect.runFork(
      Effect.sync(() => {
        ran = true
      }).pipe(Journal.withStartLock(directory, key))
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(ran).toBe(false)
    const started = Date.now()
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(Date.now() - started).toBeLessThan(200)
    expect(ran).toBe(false)
    expect(await readFile(path, "utf8")).toBe(held)
    // once released, the next start runs
    await rm(path)
    expect(await run(Effect.succeed("ran").pipe(Journal.withStartLock(directory, key)))).toBe("ran")
  })

  it("refuses to run a start where no lock can be created, naming the journal and the system's error", async () => {
    // a state folder that cannot be created (its parent is a file): refused for root too
    const root = await tempDir()
    await writeFile(join(root, "state"), "")
    const directory = join(root, "state", "booster-export")
    let ran = false
    const error = await run(
      Effect.flip(
        Effect.sync(() => {
          ran = true
        }).pipe(Journal.withStartLock(directory, key))
      )
    )
    expect(ran).toBe(false)
    expect(error).toMatchObject({
      _tag: "JournalError",
      path: join(directory, "journal.jsonl"),
      code: "ENOTDIR"
    })
    expect(error.message).toContain(join(directory, "journal.jsonl"))
    expect(error.message).toContain("ENOTDIR")
    expect(await readdir(root)).toEqual(["state"])
  })

  it("fails a line the journal's disk cannot take (ENOSPC, /dev/full as the journal) and leaves no lock", async () => {
    const directory = await tempDir()
    await symlink("/dev/full", join(directory, "journal.jsonl"))
    const journal = Journal.make(directory)
    const error = await run(
      Effect.flip(
        journal
          .append({ source: "library", event: "requested", asyncTaskId: "", fingerprint: key.fingerprint })
          .pipe(journal.withStartLock(key))
      )
    )
    expect(error).toMatchObject({
      _tag: "JournalError",
      path: join(directory, "journal.jsonl"),
      code: "ENOSPC"
    })
    expect(error.message).toContain("ENOSPC")
    expect(await lockFiles(directory)).toEqual([])
  })
})

describe("Journal.configuredUrl", () => {
  const profile = (journalUrl?: string) => ({
    name: "team",
    ...(journalUrl !== undefined ? { journalUrl } : {})
  })

  it("takes BOOSTER_JOURNAL_URL over the profile's journalUrl; neither is the local file", () => {
    expect(Journal.configuredUrl({}, profile())).toEqual(Either.right(undefined))
    expect(Journal.configuredUrl({}, profile("postgres://db.example/booster"))).toEqual(
      Either.right({ url: "postgres://db.example/booster", source: "profile" })
    )
    expect(
      Journal.configuredUrl(
        { BOOSTER_JOURNAL_URL: "postgresql://u:p@db/x" },
        profile("postgres://db.example/booster")
      )
    ).toEqual(Either.right({ url: "postgresql://u:p@db/x", source: "env" }))
  })

  it("refuses a URL that is not postgres://, and a password in a profile, naming the setting, never the URL", () => {
    const notPg = Journal.configuredUrl({ BOOSTER_JOURNAL_URL: "mysql://db/x" }, profile())
    expect(notPg).toMatchObject(Either.left({ _tag: "JournalUrlError", field: "BOOSTER_JOURNAL_URL" }))
    const secret = Journal.configuredUrl({}, profile("postgres://ada:s3cret@db/x"))
    expect(secret).toMatchObject(
      Either.left({
        field: "profile team journalUrl",
        message: "profile team journalUrl holds a password, and a profile never holds a secret"
      })
    )
    expect(JSON.stringify(secret)).not.toContain("s3cret")
  })
})
