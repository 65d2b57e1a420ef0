/**
 * The journal of exports, shared by every front end. Locally it is one JSON object per line in
 * `journal.jsonl` of the state folder (`$XDG_STATE_HOME/booster-export`, falling back to
 * `~/.local/state/booster-export`: `StateDirectory` of `@booster-export/transport`); for a team, a
 * PostgreSQL database (`@booster-export/journal-pg`). It records which exports were started,
 * finished and downloaded — when, by which front end and actor, the export kind, the filter's
 * fingerprint and plain-English description, the task and request ids, the API host, the brand, an
 * optional purpose and the downloaded file's path, size and SHA-256. Never a filter value or any
 * personal data.
 *
 * Reading is tolerant: members it does not know are ignored and lines it cannot read are skipped.
 * Lines in the older `history.jsonl` of the same directory are read too.
 *
 * @since 0.1.0
 */
import { createHash, randomUUID } from "node:crypto"
import { appendFile, mkdir, open, rename, writeFile } from "node:fs/promises"
import { hostname, userInfo } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { ExportKind, Fingerprint } from "@booster-export/core"
import * as StateDirectory from "@booster-export/transport/StateDirectory"
import { Clock, Context, Data, Effect, Either, Layer, Schema, Scope } from "effect"
import * as AuditTrail from "./AuditTrail.js"
import { errorCodeOf, withLockFile } from "./internal/lockFile.js"
import { decodeLines, readRegularFile } from "./internal/textFile.js"
import * as Purpose from "./Purpose.js"

/**
 * Which front end wrote a line: `"cli"` (the `booster` command line), `"mcp"` (the `booster-mcp`
 * server), `"library"` (a program using this package), or another name.
 *
 * @since 0.1.0
 */
export type Source = "cli" | "mcp" | "library" | (string & {})

/**
 * What a line records: `"requested"` (a start about to be sent, written before sending so that
 * nothing is sent that the journal could not record; no task id yet, `asyncTaskId` is empty),
 * `"started"`, `"completed"`, `"failed"`, `"downloaded"`, `"delivered"` (a task's file handed
 * over without being kept, e.g. to standard output: see `destination`), `"deleted"` (a downloaded
 * file removed by retention), `"erased"` (the purpose text of entry `erasedSeq` erased on request), or another name
 * written by a newer version.
 *
 * @since 0.1.0
 */
export type Event =
  | "requested"
  | "started"
  | "completed"
  | "failed"
  | "downloaded"
  | "delivered"
  | "deleted"
  | "erased"
  | (string & {})

/**
 * One journal line. Unknown members are ignored on reading; `source`, `event` and the audit members
 * are absent from lines written by older versions.
 *
 * - `actor`: who did it, `user@host` (the OS user and machine), or the authenticated subject;
 * - `kind`: the export kind's name (`ExportKind`'s `name`); absent on lines written before kinds
 *   were recorded, which are customer exports (see {@link kindOf});
 * - `description`: the filter in plain English (core's description, never a personal value);
 * - `reconciled`: on a start, true when its answer was lost and its task was found afterwards in
 *   the task list (it may be someone else's export): never counted as this install's own start;
 * - `expiresAt`: for a download, when retention may delete the file (ISO-8601);
 * - `destination`: for a `"delivered"` entry, where a file went that was not kept as a file
 *   (`"stdout"`: written to a command's standard output);
 * - `purpose`: why (see `Purpose`): read from beside the chain, `"<erased>"` once erased; the chain
 *   itself holds `purposeHmac`, its keyed hash;
 * - `writer`: in the team database, the database role that wrote the entry (assigned by the
 *   database; `actor` is what the client claimed), and `recordedAt`, the database's time of writing;
 * - `erasedSeq`: for an `erased` entry, the entry whose purpose text was erased;
 * - `seq`, `prev`, `hash`: the entry's place in the audit chain (see `AuditTrail`).
 *
 * @since 0.1.0
 */
export const Entry = Schema.Struct({
  at: Schema.String,
  source: Schema.optional(Schema.String),
  event: Schema.optional(Schema.String),
  actor: Schema.optional(Schema.String),
  asyncTaskId: Schema.String,
  kind: Schema.optional(Schema.String),
  fingerprint: Schema.optional(Schema.String),
  downloadRequestId: Schema.optional(Schema.String),
  host: Schema.optional(Schema.String),
  brand: Schema.optional(Schema.String),
  purpose: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  file: Schema.optional(Schema.String),
  bytes: Schema.optional(Schema.Number),
  sha256: Schema.optional(Schema.String),
  contentType: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  reconciled: Schema.optional(Schema.Boolean),
  expiresAt: Schema.optional(Schema.String),
  destination: Schema.optional(Schema.String),
  purposeHmac: Schema.optional(Schema.String),
  writer: Schema.optional(Schema.String),
  recordedAt: Schema.optional(Schema.String),
  erasedSeq: Schema.optional(Schema.Number),
  seq: Schema.optional(Schema.Number),
  prev: Schema.optional(Schema.String),
  hash: Schema.optional(Schema.String)
})

/**
 * One journal line.
 *
 * @since 0.1.0
 */
export type Entry = typeof Entry.Type

/**
 * An entry to append: `at` defaults to the current time and `actor` to {@link actor}; the chain
 * members are set by the journal.
 *
 * @since 0.1.0
 */
export type NewEntry = Omit<
  Entry,
  "at" | "source" | "event" | "seq" | "prev" | "hash" | "purposeHmac" | "writer" | "recordedAt"
> & {
  readonly at?: string
  readonly source: Source
  readonly event: Event
}

/**
 * Who is acting on this machine: `user@host`, the OS user name and the machine's host name.
 *
 * @since 0.1.0
 */
export const actor = (): string => {
  let user: string | undefined
  try {
    user = userInfo().username
  } catch {
    user = process.env.USER ?? process.env.LOGNAME
  }
  return `${user || "unknown"}@${hostname()}`
}

/**
 * The file every front end appends to.
 *
 * @since 0.1.0
 */
export const FILE = "journal.jsonl"

/**
 * The file beside the journal holding the purposes' text and keys (one JSON object per line, mode
 * 0600), out of the chain so that an erasure can remove them: `purposes.jsonl`.
 *
 * @since 0.1.0
 */
export const PURPOSES_FILE = "purposes.jsonl"

/**
 * Older files of the same directory whose lines are read too (the command line's former history).
 *
 * @since 0.1.0
 */
export const LEGACY_FILES: ReadonlyArray<string> = ["history.jsonl"]

/**
 * The host of a base URL, as kept in the journal (no scheme, path or credentials); `undefined`
 * when there is no URL or it cannot be parsed.
 *
 * @since 0.1.0
 */
export const hostOf = (baseUrl: string | undefined): string | undefined => {
  if (baseUrl === undefined) return undefined
  try {
    return new URL(baseUrl).host
  } catch {
    return undefined
  }
}

/**
 * True when `url` names a PostgreSQL database for the team journal (`postgres://` or
 * `postgresql://`, see `PgJournal` of `@booster-export/journal-pg`).
 *
 * @since 0.1.0
 */
export const isDatabaseUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url.trim())

/**
 * A database URL for messages, without its credentials or parameters: `postgres://host:port/db`.
 *
 * @since 0.1.0
 */
export const describeDatabaseUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `postgres://${parsed.host}${parsed.pathname}`
  } catch {
    return "postgres://<unreadable URL>"
  }
}

/**
 * A configured team journal URL that cannot be used: `field` names the setting (`BOOSTER_JOURNAL_URL`
 * or `profile <name> journalUrl`), never the URL.
 *
 * @since 0.1.0
 */
export class JournalUrlError extends Data.TaggedError("JournalUrlError")<{
  readonly field: string
  readonly message: string
  readonly hint: string
}> {}

/**
 * The team journal's URL as configured: `BOOSTER_JOURNAL_URL` of `env`, else the `journalUrl` of the
 * profile in use (named `profile.name`); `undefined` when neither is set (the local file). A URL
 * that is not {@link isDatabaseUrl}, or a profile's URL holding a password (a profile never holds a
 * secret: the password belongs in `PGPASSWORD` or `~/.pgpass`), is refused with
 * {@link JournalUrlError} naming the setting, never the URL.
 *
 * @since 0.1.0
 */
export const configuredUrl = (
  env: Readonly<Record<string, string | undefined>>,
  profile: { readonly name: string | undefined; readonly journalUrl?: string | undefined }
): Either.Either<
  { readonly url: string; readonly source: "env" | "profile" } | undefined,
  JournalUrlError
> => {
  const fromEnv = env.BOOSTER_JOURNAL_URL?.trim()
  const fromProfile = profile.journalUrl?.trim()
  const [url, source, field]: [string | undefined, "env" | "profile", string] = fromEnv
    ? [fromEnv, "env", "BOOSTER_JOURNAL_URL"]
    : [fromProfile || undefined, "profile", `profile ${profile.name} journalUrl`]
  if (url === undefined) return Either.right(undefined)
  if (!isDatabaseUrl(url)) {
    return Either.left(
      new JournalUrlError({
        message: `${field} must be a postgres:// URL`,
        hint: "Give postgres://user@host:5432/database, or unset it to keep the local journal file.",
        field
      })
    )
  }
  let password = ""
  try {
    password = new URL(url).password
  } catch {
    password = ""
  }
  if (source === "profile" && password !== "") {
    return Either.left(
      new JournalUrlError({
        message: `${field} holds a password, and a profile never holds a secret`,
        hint: "Remove the password from the URL and give it in PGPASSWORD or ~/.pgpass, or set BOOSTER_JOURNAL_URL.",
        field
      })
    )
  }
  return Either.right({ url, source })
}

const EMAIL_LIKE = /[^\s@]+@[^\s@]+\.[^\s@]+/
const PHONE_LIKE = /\+\s?\d[\d\s().-]{6,}\d/

/**
 * True when free text looks like it holds an email address or an international phone number (a
 * quick test for values shown to an assistant; a purpose is held to the stricter `Purpose` rule).
 *
 * @since 0.1.0
 */
export const looksPersonal = (text: string): boolean => EMAIL_LIKE.test(text) || PHONE_LIKE.test(text)

/**
 * The journal could not be written (reading never fails: an absent or unreadable file is empty).
 * For the local file journal, `path` is the file or lock that could not be written and `code` the
 * operating system's error code (`ENOSPC`, `EROFS`, `EACCES`, …); a database journal sets neither.
 *
 * @since 0.1.0
 */
export class JournalError extends Schema.TaggedError<JournalError>()("JournalError", {
  message: Schema.String,
  path: Schema.optional(Schema.String),
  code: Schema.optional(Schema.String)
}) {}

const osCodeOf = (error: unknown): string => {
  const code = errorCodeOf(error)
  return typeof code === "string" ? code : "EIO"
}

/**
 * The error of a local file that could not be written (`what`, e.g. "the journal"), naming the path
 * and the operating system's error code (`EIO` when there is none).
 *
 * @since 0.1.0
 */
export const unwritable = (what: string, path: string, error: unknown): JournalError => {
  const reason = error instanceof Error ? error.message : String(error)
  const code = osCodeOf(error)
  return new JournalError({
    message: `could not write ${what} at ${path}: ${reason.startsWith(code) ? reason : `${code}: ${reason}`}`,
    path,
    code
  })
}

/**
 * Parses journal text, skipping lines that are not journal entries.
 *
 * @since 0.1.0
 */
export const parseLines: (text: string) => ReadonlyArray<Entry> = decodeLines(Entry)

/**
 * True for an entry recording a start (not a request about to be sent, a download or a later state).
 *
 * @since 0.1.0
 */
export const isStart = (entry: Entry): boolean =>
  entry.file === undefined && (entry.event === undefined || entry.event === "started")

/**
 * True for a `"requested"` entry: a start written down before it was sent (it has no task yet).
 *
 * @since 0.1.0
 */
export const isRequest = (entry: Entry): boolean => entry.event === "requested"

/**
 * The export kind an entry is about: its `kind`, or `"customers"` (`ExportKind.Customer`) for an entry
 * without one (every line written before kinds were recorded is about a customer export).
 *
 * @since 0.1.0
 */
export const kindOf = (entry: Pick<Entry, "kind">): string => entry.kind ?? ExportKind.Customer.name

/**
 * The task ids the journal in context knows from the last `windowMs`: never adopted when a lost
 * start is reconciled to a task found by time window. A journal that cannot be read knows none.
 *
 * @since 0.1.0
 */
export const knownTaskIds = (windowMs: number): Effect.Effect<ReadonlyArray<string>, never, Journal> =>
  Effect.flatMap(Journal, (journal) => journal.entriesSince(Date.now() - windowMs)).pipe(
    Effect.map((entries) => [
      ...new Set(entries.map((entry) => entry.asyncTaskId).filter((id) => id !== ""))
    ]),
    Effect.orElseSucceed((): ReadonlyArray<string> => [])
  )

/**
 * The key of a start lock and of a repeated start: one filter (`fingerprint`) of one export `kind`
 * (default `"customers"`) on one API `host`.
 *
 * @since 0.1.0
 */
export interface StartKey {
  readonly fingerprint: string
  readonly host: string | undefined
  readonly kind?: string | undefined
}

/**
 * A journal: the local file ({@link make}) or a database shared by a team (`PgJournal` of
 * `@booster-export/journal-pg`). Both keep the same entries, the same audit chain and the same start
 * lock semantics.
 *
 * @since 0.1.0
 */
export interface Service {
  /** Where the journal is, for messages: a file path, or `postgres://host/database` (no credentials). */
  readonly location: string
  /**
   * Appends one entry, linked into the audit chain after the newest one. A `purpose` that breaks the
   * `Purpose` rule is left out (front ends refuse it before); a valid one is kept beside the chain,
   * the chain holding its keyed hash. `actor` defaults to {@link actor}.
   */
  readonly append: (entry: NewEntry) => Effect.Effect<void, JournalError>
  /** Every readable entry, oldest first. */
  readonly entries: Effect.Effect<ReadonlyArray<Entry>, JournalError>
  /**
   * The readable entries at or after `since` (epoch milliseconds), oldest first, with the start of
   * each task they are about when that start is older (so that a row about a download can say what
   * its start recorded): what {@link entries} filtered by time gives, read by the store itself (the
   * database answers from its time index; the file is streamed, keeping only these entries and the
   * starts).
   */
  readonly entriesSince: (since: number) => Effect.Effect<ReadonlyArray<Entry>, JournalError>
  /**
   * The most recent start of the same filter on the same API host no older than `windowMs` before
   * `now` (epoch milliseconds), whoever recorded it (see {@link recentStart}).
   */
  readonly latestStart: (
    key: StartKey & { readonly now: number; readonly windowMs: number }
  ) => Effect.Effect<Entry | undefined, JournalError>
  /**
   * Runs `effect` (check the journal, start, record) holding the start lock of one filter on one
   * API host, shared by every process using this journal: on one machine for the file journal, on
   * every machine for the database.
   */
  readonly withStartLock: (
    key: StartKey
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | JournalError, R>
  /**
   * The stored records in stored order (each with its `hash`: in the team database, the keyed link),
   * for looking up a checkpointed head (`Checkpoint.verify`).
   */
  readonly trail: Effect.Effect<ReadonlyArray<AuditTrail.StoredRecord>, JournalError>
  /**
   * Verifies the whole audit chain, and each purpose text beside it against its keyed hash: the file
   * journal here (`AuditTrail.verify`); the team database through its verify function (the keyed
   * links can be recomputed only with the database's secret).
   */
  readonly verify: Effect.Effect<AuditTrail.Verification, JournalError>
  /**
   * Erases the purpose text (and its key) of entry `seq`, recording an `erased` entry: `"erased"`;
   * `"none"` when that entry holds no purpose text beside the chain (none given, erased already, or
   * written into the chain itself by an earlier version); `"unknown"` when there is no entry `seq`.
   * The chain still verifies; the entry then reads `"<erased>"`. In the team
   * database only the owner role (or a role granted the erase function) may.
   */
  readonly erasePurpose: (
    seq: number,
    by: { readonly source: Source; readonly actor?: string | undefined }
  ) => Effect.Effect<Erasure, JournalError>
}

/**
 * The outcome of `erasePurpose`: `"erased"`, `"none"` (no purpose text there), `"unknown"` (no such
 * entry).
 *
 * @since 0.1.0
 */
export type Erasure = "erased" | "none" | "unknown"

/**
 * The file journal: {@link Service} plus its directory and file.
 *
 * @since 0.1.0
 */
export interface FileService extends Service {
  /** The directory of the journal. */
  readonly directory: string
  /** The file appended to. */
  readonly path: string
}

/**
 * Prepares an entry for storage: `at` (from the clock when absent), `actor` (from the OS when
 * absent), and a `purpose` kept only when it passes the `Purpose` rule (trimmed).
 *
 * @since 0.1.0
 */
export const prepare = (entry: NewEntry): Effect.Effect<Entry> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const { at, purpose, actor: who, ...rest } = entry
    const kept = purpose?.trim()
    return {
      at: at ?? new Date(now).toISOString(),
      actor: who ?? actor(),
      ...rest,
      ...(kept !== undefined && Purpose.isValid(kept) ? { purpose: kept } : {})
    }
  })

/**
 * A purpose kept beside the chain: its text and its own key (hex), by the hash of its entry.
 *
 * @since 0.1.0
 */
export interface KeptPurpose {
  readonly key: string
  readonly purpose: string
}

/**
 * Entries as read back: an entry whose chain holds a purpose's keyed hash reads its text from
 * `kept` (by the entry's `hash`) when it is there and matches, else `"<erased>"`.
 *
 * @since 0.1.0
 */
export const withPurposes = (
  entries: ReadonlyArray<Entry>,
  kept: ReadonlyMap<string, KeptPurpose>
): ReadonlyArray<Entry> =>
  entries.map((entry) => {
    if (entry.purposeHmac === undefined) return entry
    const text = entry.hash !== undefined ? kept.get(entry.hash) : undefined
    const matches =
      text !== undefined && Purpose.hmacOf(Buffer.from(text.key, "hex"), text.purpose) === entry.purposeHmac
    return { ...entry, purpose: matches ? text.purpose : Purpose.ERASED }
  })

/** The purposes kept beside a journal file, by the hash of their entry. */
const readPurposes = async (path: string): Promise<Map<string, KeptPurpose>> => {
  const kept = new Map<string, KeptPurpose>()
  for (const line of (await readRegularFile(path)).split("\n")) {
    const value = line.trim() === "" ? undefined : parseRecord(line)
    if (
      value !== undefined &&
      typeof value.hash === "string" &&
      typeof value.key === "string" &&
      typeof value.purpose === "string"
    ) {
      kept.set(value.hash, { key: value.key, purpose: value.purpose })
    }
  }
  return kept
}

/**
 * The first purpose kept beside a chain that no longer matches its entry's keyed hash, as a failed
 * verification; `undefined` when every kept purpose matches (an erased one is not checked).
 *
 * @since 0.1.0
 */
export const checkPurposes = (
  records: ReadonlyArray<AuditTrail.StoredRecord>,
  kept: ReadonlyMap<string, KeptPurpose>,
  where = "line"
): AuditTrail.Verification | undefined => {
  for (const record of records) {
    const value = record.value
    if (value === undefined || typeof value.hash !== "string") continue
    const text = kept.get(value.hash)
    if (text === undefined) continue
    if (Purpose.hmacOf(Buffer.from(text.key, "hex"), text.purpose) !== value.purposeHmac) {
      const seq = typeof value.seq === "number" ? value.seq : undefined
      return {
        ok: false,
        problem: "altered",
        seq,
        position: record.position,
        message: `The purpose of entry ${seq ?? "?"} (${where} ${record.position}) was altered: it no longer matches its keyed hash`
      }
    }
  }
  return undefined
}

const parseRecord = (line: string): Readonly<Record<string, unknown>> | undefined => {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** The newest linked entry of journal text (the last line holding a `seq` and a `hash`). */
const lastLink = (text: string): { seq: number; hash: string } | undefined => {
  const lines = text.split("\n")
  for (let i = lines.length - 1; i >= 0; i--) {
    const value = lines[i]!.trim() === "" ? undefined : parseRecord(lines[i]!)
    if (value !== undefined && typeof value.seq === "number" && typeof value.hash === "string") {
      return { seq: value.seq, hash: value.hash }
    }
  }
  return undefined
}

/**
 * The journal service.
 *
 * @since 0.1.0
 */
export class Journal extends Context.Tag("@booster-export/journal/Journal")<Journal, Service>() {}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The entries at or after `since` and the older starts of the tasks they are about, oldest first,
 * from journal files read line by line: neither file is held whole, only the entries kept and the
 * latest start of each task seen before `since`. Like {@link readRegularFile}, a file that is
 * absent, unreadable or not a regular file reads as empty.
 */
const readSince = async (paths: ReadonlyArray<string>, since: number): Promise<ReadonlyArray<Entry>> => {
  const selected: Array<Entry> = []
  const olderStarts = new Map<string, Entry>()
  for (const path of paths) {
    const handle = await open(path, "r").catch(() => undefined)
    if (handle === undefined) continue
    const input = handle.createReadStream({ encoding: "utf8" })
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
    try {
      if (!(await handle.stat()).isFile()) continue
      for await (const line of lines) {
        const entry = parseLines(line)[0]
        if (entry === undefined) continue
        if (Date.parse(entry.at) >= since) selected.push(entry)
        else if (isStart(entry)) {
          const known = olderStarts.get(entry.asyncTaskId)
          if (known === undefined || compare(known.at, entry.at) <= 0)
            olderStarts.set(entry.asyncTaskId, entry)
        }
      }
    } catch {
      // unreadable: what was read is kept, as a torn file would be
    } finally {
      lines.close()
      input.destroy()
      await handle.close().catch(() => undefined)
    }
  }
  const tasks = new Set(selected.map((entry) => entry.asyncTaskId))
  const starts = [...olderStarts.values()].filter((entry) => tasks.has(entry.asyncTaskId))
  return [...starts, ...selected].sort((a, b) => compare(a.at, b.at))
}

/**
 * The journal kept in `directory` (default: the state folder shared by `booster` and `booster-mcp`,
 * `StateDirectory.resolve()` of `@booster-export/transport`). Each entry is one JSON line, linked
 * into the audit chain; appends from every process on the machine take turns under a lock file in
 * `<directory>/locks/`, so the chain never forks. The directory is created with mode 0700 and the
 * file with mode 0600.
 *
 * @since 0.1.0
 */
export const make = (directory: string = StateDirectory.resolve()): FileService => {
  const path = join(directory, FILE)
  const purposesPath = join(directory, PURPOSES_FILE)
  const read = (file: string) => readRegularFile(join(directory, file)).then(parseLines)
  const entries = Effect.promise(async () => {
    const all = (await Promise.all([...LEGACY_FILES, FILE].map(read))).flat()
    return withPurposes(
      all.sort((a, b) => compare(a.at, b.at)),
      await readPurposes(purposesPath)
    )
  })
  const readTrail = async (): Promise<ReadonlyArray<AuditTrail.StoredRecord>> =>
    (await readRegularFile(path))
      .split("\n")
      .flatMap((line, index) =>
        line.trim() === "" ? [] : [{ position: index + 1, value: parseRecord(line) }]
      )
  /** Appends a prepared entry; the caller holds the journal's lock. */
  const appendHeld = async (prepared: Entry): Promise<void> => {
    await mkdir(directory, { recursive: true, mode: 0o700 })
    const text = await readRegularFile(path)
    const { purpose, ...rest } = prepared
    const key = purpose !== undefined ? Purpose.newKey() : undefined
    const line = AuditTrail.link(
      lastLink(text),
      key !== undefined && purpose !== undefined
        ? { ...rest, purposeHmac: Purpose.hmacOf(key, purpose) }
        : rest
    )
    if (key !== undefined && purpose !== undefined) {
      // the text first: an entry never points at a text that was not written
      await appendFile(
        purposesPath,
        `${JSON.stringify({ seq: line.seq, hash: line.hash, key: key.toString("hex"), purpose })}\n`,
        { mode: 0o600 }
      )
    }
    // a torn last line (a crash mid-write) is left on its own line
    const separator = text !== "" && !text.endsWith("\n") ? "\n" : ""
    await appendFile(path, `${separator}${JSON.stringify(line)}\n`, { mode: 0o600 })
  }
  const locked = withLockFile(join(directory, "locks"), "journal.lock", START_LOCK_STALE_MS, (cause) =>
    unwritable("the journal", path, cause)
  )
  return {
    directory,
    path,
    location: path,
    append: (entry) =>
      Effect.flatMap(prepare(entry), (prepared) =>
        Effect.tryPromise({
          try: () => appendHeld(prepared),
          catch: (error) => unwritable("the journal", path, error)
        }).pipe(locked)
      ),
    entries,
    entriesSince: (since) =>
      Effect.promise(async () =>
        withPurposes(
          await readSince(
            [...LEGACY_FILES, FILE].map((file) => join(directory, file)),
            since
          ),
          await readPurposes(purposesPath)
        )
      ),
    latestStart: (key) => Effect.map(entries, (all) => recentStart(all, key)),
    withStartLock: (key) => withStartLock(directory, key),
    trail: Effect.promise(readTrail),
    verify: Effect.promise(async () => {
      const records = await readTrail()
      const result = AuditTrail.verify(records)
      if (!result.ok) return result
      return checkPurposes(records, await readPurposes(purposesPath)) ?? result
    }),
    erasePurpose: (seq, by) =>
      Effect.flatMap(
        prepare({ source: by.source, event: "erased", asyncTaskId: "", erasedSeq: seq, actor: by.actor }),
        (erased) =>
          Effect.tryPromise({
            try: async (): Promise<Erasure> => {
              const target = (await readTrail()).find((record) => record.value?.seq === seq)?.value
              if (target === undefined) return "unknown"
              const text = await readRegularFile(purposesPath)
              const lines = text.split("\n").filter((line) => line.trim() !== "")
              const remaining = lines.filter((line) => parseRecord(line)?.hash !== target.hash)
              if (target.purposeHmac === undefined || remaining.length === lines.length) return "none"
              // the text and its key are replaced whole, never left half-written
              const temporary = `${purposesPath}.${randomUUID()}.tmp`
              await writeFile(temporary, remaining.map((line) => `${line}\n`).join(""), { mode: 0o600 })
              await rename(temporary, purposesPath)
              await appendHeld({ ...erased, asyncTaskId: String(target.asyncTaskId ?? "") })
              return "erased"
            },
            catch: (error) => unwritable("the journal", path, error)
          }).pipe(locked)
      )
  }
}

/**
 * A layer providing the journal kept in `directory` (default: the state folder, as {@link make}).
 *
 * @since 0.1.0
 */
export const layer = (directory: string = StateDirectory.resolve()): Layer.Layer<Journal> =>
  Layer.succeed(Journal, make(directory))

/**
 * A layer providing a journal that is opened on first use (and closed with the layer): a command
 * that never reads or records (a dry run, a usage error) never connects to a database. `location`
 * names it until then.
 *
 * @since 0.1.0
 */
export const layerOnFirstUse = (
  location: string,
  open: Effect.Effect<Service, JournalError, Scope.Scope>
): Layer.Layer<Journal> =>
  Layer.scoped(
    Journal,
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      const opened = yield* Effect.cached(Scope.extend(open, scope))
      const service: Service = {
        location,
        append: (entry) => Effect.flatMap(opened, (journal) => journal.append(entry)),
        entries: Effect.flatMap(opened, (journal) => journal.entries),
        entriesSince: (since) => Effect.flatMap(opened, (journal) => journal.entriesSince(since)),
        latestStart: (key) => Effect.flatMap(opened, (journal) => journal.latestStart(key)),
        withStartLock: (key) => (effect) =>
          Effect.flatMap(opened, (journal) => journal.withStartLock(key)(effect)),
        trail: Effect.flatMap(opened, (journal) => journal.trail),
        verify: Effect.flatMap(opened, (journal) => journal.verify),
        erasePurpose: (seq, by) => Effect.flatMap(opened, (journal) => journal.erasePurpose(seq, by))
      }
      return service
    })
  )

/**
 * The most recent start of the same filter (`fingerprint`) of the same export `kind` (default
 * `"customers"`, see {@link kindOf}) on the same API `host` no older than `windowMs` before `now`
 * (epoch milliseconds), whichever front end recorded it. Entries without a host (older lines) match
 * any host. The unkeyed `sha256:` fingerprints older versions wrote are read and listed but never
 * matched: fingerprints are keyed now (`hmac-sha256:`).
 *
 * @since 0.1.0
 */
export const recentStart = (
  entries: ReadonlyArray<Entry>,
  options: StartKey & { readonly now: number; readonly windowMs: number }
): Entry | undefined => {
  if (options.fingerprint.startsWith(Fingerprint.LEGACY_PREFIX)) return undefined
  const since = options.now - options.windowMs
  const kind = options.kind ?? ExportKind.Customer.name
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!
    if (entry.fingerprint !== options.fingerprint || !isStart(entry) || kindOf(entry) !== kind) continue
    if (entry.host !== undefined && entry.host !== options.host) continue
    const at = Date.parse(entry.at)
    if (Number.isFinite(at) && at >= since) return entry
  }
  return undefined
}

/**
 * One row per task in {@link rows}: the latest state known for it.
 *
 * @since 0.1.0
 */
export interface Row {
  readonly asyncTaskId: string
  /** The export kind's name, `"customers"` for a task whose entries name none (see {@link kindOf}). */
  readonly kind: string
  readonly source: string | undefined
  readonly startedAt: string | undefined
  readonly fingerprint: string | undefined
  readonly downloadRequestId: string | undefined
  readonly host: string | undefined
  readonly brand: string | undefined
  /** The filter in plain English, from the start entry. */
  readonly description: string | undefined
  readonly purpose: string | undefined
  readonly status: string | undefined
  readonly file: string | undefined
  readonly bytes: number | undefined
  readonly sha256: string | undefined
  readonly updatedAt: string
}

/**
 * Folds entries (oldest first) into one row per task, most recently updated first. The `source`
 * of a row is the front end that started the task, when known. `"requested"` entries (no task yet)
 * make no row.
 *
 * @since 0.1.0
 */
export const rows = (entries: ReadonlyArray<Entry>): ReadonlyArray<Row> => {
  const byTask = new Map<string, Row>()
  for (const entry of entries) {
    if (isRequest(entry)) continue
    const previous = byTask.get(entry.asyncTaskId)
    const start = isStart(entry)
    byTask.set(entry.asyncTaskId, {
      asyncTaskId: entry.asyncTaskId,
      kind: entry.kind ?? previous?.kind ?? kindOf(entry),
      source: start ? (entry.source ?? previous?.source) : (previous?.source ?? entry.source),
      startedAt: start ? entry.at : previous?.startedAt,
      fingerprint: entry.fingerprint ?? previous?.fingerprint,
      downloadRequestId: entry.downloadRequestId ?? previous?.downloadRequestId,
      host: entry.host ?? previous?.host,
      brand: entry.brand ?? previous?.brand,
      description: entry.description ?? previous?.description,
      purpose: entry.purpose ?? previous?.purpose,
      status: entry.status ?? (start ? "started" : previous?.status),
      file: entry.file ?? previous?.file,
      bytes: entry.bytes ?? previous?.bytes,
      sha256: entry.sha256 ?? previous?.sha256,
      updatedAt: entry.at
    })
  }
  return [...byTask.values()].sort((a, b) => compare(b.updatedAt, a.updatedAt))
}

/**
 * How long a start lock may be held before another process takes it over: 10 minutes (far more than
 * a start with all its retries takes).
 *
 * @since 0.1.0
 */
export const START_LOCK_STALE_MS = 10 * 60 * 1000

/**
 * The text a start lock is named after: the fingerprint and the host, and the kind when it is not a
 * customer export (so that the locks of customer exports keep the names older versions use).
 *
 * @since 0.1.0
 */
export const startLockName = (key: StartKey): string =>
  `${key.fingerprint}\n${key.host ?? ""}${key.kind === undefined || key.kind === ExportKind.Customer.name ? "" : `\n${key.kind}`}`

/**
 * Runs `effect` holding the journal's start lock for one filter (`fingerprint`) of one export kind on
 * one API `host`:
 * one process (and one fiber) at a time checks the journal for a repeated start, starts the export
 * and records it, so two front ends starting the same filter at the same instant cannot both create
 * it. The lock is a file created exclusively in `<directory>/locks/` and removed afterwards; one
 * left by a process that has ended (on this host) or older than `staleMs` is taken over. Waiting
 * polls every 20–100 ms and stops at once when interrupted. When no lock file can be created (a full
 * disk, a read-only folder), it fails with `JournalError` (`path` the journal's file, `code` the
 * system's error, the message naming the lock too) and `effect` does not run: a start must not be sent where it could not be guarded.
 *
 * @since 0.1.0
 */
export const withStartLock =
  (directory: string, key: StartKey, options: { readonly staleMs?: number } = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | JournalError, R> => {
    const name = createHash("sha256").update(startLockName(key)).digest("hex").slice(0, 32)
    return withLockFile(
      join(directory, "locks"),
      `${name}.lock`,
      options.staleMs ?? START_LOCK_STALE_MS,
      (cause) => unwritable("the journal", join(directory, FILE), cause)
    )(effect)
  }
