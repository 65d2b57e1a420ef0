/**
 * Named profiles (`$XDG_CONFIG_HOME/booster-export/profiles.json`, mode 0600) and the settings a
 * command runs with, resolved with the precedence flag > environment (`BOOSTER_*`) > profile >
 * default. Secrets never live in the profile: it may only name a file holding the API key, or the key
 * comes from `BOOSTER_API_KEY`. The key is `Redacted` as soon as it is read; a key file other users
 * may read or write is refused, as the fingerprint key is.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { resolve } from "node:path"
import * as Journal from "@booster-export/journal/Journal"
import * as Redact from "@booster-export/transport/Redact"
import { Effect, Redacted, Schema } from "effect"
import { ConfigError } from "../output/errors.js"
import * as Paths from "./paths.js"

/** One profile. Every member is optional. */
export const Profile = Schema.Struct({
  baseUrl: Schema.optional(Schema.String),
  apiKeyHeader: Schema.optional(Schema.String),
  apiKeyFile: Schema.optional(Schema.String),
  allowInsecureHttp: Schema.optional(Schema.Boolean),
  headers: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  brand: Schema.optional(Schema.String),
  posCodes: Schema.optional(Schema.Array(Schema.String)),
  exportDir: Schema.optional(Schema.String),
  journalUrl: Schema.optional(Schema.String),
  retentionDays: Schema.optional(Schema.Number)
})

/** One profile. */
export type Profile = typeof Profile.Type

/** The profiles file. */
export const ProfilesFile = Schema.Struct({
  default: Schema.optional(Schema.String),
  profiles: Schema.Record({ key: Schema.String, value: Profile })
})

/** The profiles file. */
export type ProfilesFile = typeof ProfilesFile.Type

type Env = Readonly<Record<string, string | undefined>>

const decodeFile = Schema.decodeUnknownEither(Schema.parseJson(ProfilesFile))

/** Reads the profiles file; an absent file is an empty one. */
export const load = (env: Env = process.env): Effect.Effect<ProfilesFile, ConfigError> =>
  Paths.readJson(
    Paths.profilesFile(env),
    decodeFile,
    { profiles: {} },
    {
      name: "profiles",
      hint: "Fix it by hand, or remove it and use `booster config set` again."
    }
  )

/** Writes the profiles file atomically with mode 0600 (its folder 0700). */
export const save = (file: ProfilesFile, env: Env = process.env): Effect.Effect<string, ConfigError> =>
  Effect.try({
    try: () => {
      const path = Paths.profilesFile(env)
      Paths.writePrivateJson(path, file)
      return path
    },
    catch: () =>
      new ConfigError({
        message: `The profiles file ${Paths.profilesFile(env)} cannot be written`,
        hint: "Check the permissions of its folder, or set XDG_CONFIG_HOME.",
        field: "profiles"
      })
  })

/** Where a setting came from. */
export type Source = "flag" | "env" | "profile" | "default"

/** The API key and how it is sent. */
export interface KeySettings {
  readonly key: Redacted.Redacted<string>
  /** Header carrying the key; `undefined` = `Authorization: Bearer`. */
  readonly header: string | undefined
  readonly source: "env" | "file"
  /** Where it was named: `--api-key-file`, the environment, or the profile. */
  readonly origin: "flag" | "env" | "profile"
  /** The file it was read from, when it came from one. */
  readonly path?: string
}

/** The settings a command runs with. */
export interface Settings {
  readonly profile: string | undefined
  readonly baseUrl: string | undefined
  readonly baseUrlSource: Source
  readonly key: KeySettings | undefined
  readonly allowInsecureHttp: boolean
  readonly headers: Readonly<Record<string, string>>
  readonly brand: string | undefined
  readonly posCodes: ReadonlyArray<string>
  readonly exportDir: string
  readonly exportDirSource: Source
  /** The team journal (`postgres://…`), `Redacted`; `undefined` = the local file. */
  readonly journalUrl: Redacted.Redacted<string> | undefined
  readonly journalUrlSource: Source
  /** Days a downloaded file is kept before `booster files purge` deletes it. */
  readonly retentionDays: number
}

/** Days a downloaded file is kept by default: 30. */
export const DEFAULT_RETENTION_DAYS = 30

const hasPassword = (url: string) => {
  try {
    return new URL(url).password !== ""
  } catch {
    return false
  }
}

/** The team journal's URL: `BOOSTER_JOURNAL_URL`, else the profile's `journalUrl` (without a password). */
const journalUrlOf = (
  env: Env,
  profile: Profile,
  name: string | undefined
): Effect.Effect<[Redacted.Redacted<string> | undefined, Source], ConfigError> => {
  const fromEnv = env.BOOSTER_JOURNAL_URL?.trim()
  const [url, source, field]: [string | undefined, Source, string] = fromEnv
    ? [fromEnv, "env", "BOOSTER_JOURNAL_URL"]
    : profile.journalUrl?.trim()
      ? [profile.journalUrl.trim(), "profile", `profile ${name} journalUrl`]
      : [undefined, "default", ""]
  if (url === undefined) return Effect.succeed([undefined, "default"])
  if (!Journal.isDatabaseUrl(url)) {
    return Effect.fail(
      new ConfigError({
        message: `${field} must be a postgres:// URL`,
        hint: "Give postgres://user@host:5432/database, or unset it to keep the local journal file.",
        field
      })
    )
  }
  if (source === "profile" && hasPassword(url)) {
    return Effect.fail(
      new ConfigError({
        message: `${field} holds a password, and a profile never holds a secret`,
        hint: "Remove the password from the URL and give it in PGPASSWORD or ~/.pgpass, or set BOOSTER_JOURNAL_URL.",
        field
      })
    )
  }
  return Effect.succeed([Redacted.make(url), source])
}

/** Setting flags common to the commands that talk to the API. */
export interface SettingFlags {
  readonly profile?: string | undefined
  readonly baseUrl?: string | undefined
  readonly apiKeyFile?: string | undefined
}

const expandHome = (path: string): string =>
  path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : path

/** A key file open to group or others: its mode, to refuse it as the fingerprint key is refused. */
class OpenKeyFile {
  constructor(readonly mode: number) {}
}

/**
 * Reads a key file: opened once, its mode read from that open file (so that it cannot be swapped
 * between the check and the read), refused when group or others may read or write it, unless
 * `allowOpen` (for `doctor`, which reports it as a failed check).
 */
const readKeyFile = (
  path: string,
  field: string,
  allowOpen: boolean
): Effect.Effect<Redacted.Redacted<string>, ConfigError> =>
  Effect.try({
    try: () => {
      const fd = openSync(expandHome(path), constants.O_RDONLY)
      try {
        const mode = fstatSync(fd).mode
        if (!allowOpen && (mode & 0o077) !== 0) throw new OpenKeyFile(mode)
        return Redacted.make(readFileSync(fd, "utf8").trim())
      } finally {
        closeSync(fd)
      }
    },
    catch: (error) =>
      error instanceof OpenKeyFile
        ? new ConfigError({
            message: `The API key file named by ${field} (${expandHome(path)}) can be read or written by other users (mode 0${(error.mode & 0o777).toString(8)}); it was not used`,
            hint: `Make it readable by its owner only: chmod 600 ${expandHome(path)}`,
            field
          })
        : new ConfigError({
            message: `The API key file named by ${field} cannot be read`,
            hint: "Check the path and its permissions; the file holds the key alone.",
            field
          })
  }).pipe(
    Effect.filterOrFail(
      (key) => Redacted.value(key) !== "",
      () =>
        new ConfigError({
          message: `The API key file named by ${field} is empty`,
          hint: "Put the key in it.",
          field
        })
    )
  )

/** How {@link resolveSettings} reads. */
export interface ResolveOptions {
  /**
   * Read an API key file even when other users may read or write it (default false: refused with a
   * `ConfigError` naming the setting and the `chmod`). Only `doctor` sets it, to report the file as
   * a failed check of its own.
   */
  readonly allowOpenKeyFile?: boolean
}

/** Resolves the settings: flag > environment > profile > default. */
export const resolveSettings = (
  flags: SettingFlags,
  env: Env = process.env,
  options: ResolveOptions = {}
): Effect.Effect<Settings, ConfigError> =>
  Effect.gen(function* () {
    const allowOpen = options.allowOpenKeyFile === true
    const file = yield* load(env)
    const name = flags.profile?.trim() || env.BOOSTER_PROFILE?.trim() || file.default
    const profile: Profile = name !== undefined ? (file.profiles[name] ?? {}) : {}
    if (name !== undefined && file.profiles[name] === undefined && (flags.profile || env.BOOSTER_PROFILE)) {
      return yield* new ConfigError({
        message: `There is no profile named ${name}`,
        hint: `Create it with \`booster config set --profile ${name} --base-url URL\`, or list them with \`booster config list\`.`,
        field: flags.profile ? "--profile" : "BOOSTER_PROFILE"
      })
    }
    const [baseUrl, baseUrlSource]: [string | undefined, Source] = flags.baseUrl?.trim()
      ? [flags.baseUrl.trim(), "flag"]
      : env.BOOSTER_BASE_URL?.trim()
        ? [env.BOOSTER_BASE_URL.trim(), "env"]
        : profile.baseUrl
          ? [profile.baseUrl, "profile"]
          : [undefined, "default"]
    const header = env.BOOSTER_API_KEY_HEADER?.trim() || profile.apiKeyHeader
    const headerName = header !== undefined && header.toLowerCase() !== "authorization" ? header : undefined
    let key: KeySettings | undefined
    if (flags.apiKeyFile?.trim()) {
      key = {
        key: yield* readKeyFile(flags.apiKeyFile.trim(), "--api-key-file", allowOpen),
        header: headerName,
        source: "file",
        origin: "flag",
        path: expandHome(flags.apiKeyFile.trim())
      }
    } else if (env.BOOSTER_API_KEY?.trim()) {
      key = {
        key: Redacted.make(env.BOOSTER_API_KEY.trim()),
        header: headerName,
        source: "env",
        origin: "env"
      }
    } else if (env.BOOSTER_API_KEY_FILE?.trim()) {
      key = {
        key: yield* readKeyFile(env.BOOSTER_API_KEY_FILE.trim(), "BOOSTER_API_KEY_FILE", allowOpen),
        header: headerName,
        source: "file",
        origin: "env",
        path: expandHome(env.BOOSTER_API_KEY_FILE.trim())
      }
    } else if (profile.apiKeyFile) {
      key = {
        key: yield* readKeyFile(profile.apiKeyFile, `profile ${name} apiKeyFile`, allowOpen),
        header: headerName,
        source: "file",
        origin: "profile",
        path: expandHome(profile.apiKeyFile)
      }
    }
    const [exportDir, exportDirSource]: [string, Source] = env.BOOSTER_EXPORT_DIR?.trim()
      ? [env.BOOSTER_EXPORT_DIR.trim(), "env"]
      : profile.exportDir
        ? [expandHome(profile.exportDir), "profile"]
        : [process.cwd(), "default"]
    const [journalUrl, journalUrlSource] = yield* journalUrlOf(env, profile, name)
    return {
      profile: name,
      baseUrl,
      baseUrlSource,
      key,
      // the opt-out belongs to the profile's own base URL, not to one given by a flag or the environment
      allowInsecureHttp: profile.allowInsecureHttp === true && baseUrlSource === "profile",
      headers: profile.headers ?? {},
      brand: profile.brand,
      posCodes: profile.posCodes ?? [],
      exportDir,
      exportDirSource,
      journalUrl,
      journalUrlSource,
      retentionDays: profile.retentionDays ?? DEFAULT_RETENTION_DAYS
    }
  })

/** The settings with secrets redacted (the API key, credential-like extra headers), for `booster config show`. */
export const redactedView = (settings: Settings): Record<string, unknown> => ({
  profile: settings.profile ?? null,
  baseUrl: settings.baseUrl ?? null,
  baseUrlSource: settings.baseUrlSource,
  apiKey: settings.key === undefined ? null : Redact.REDACTED,
  apiKeySource: settings.key?.source ?? null,
  apiKeyHeader: settings.key === undefined ? null : (settings.key.header ?? "Authorization: Bearer"),
  allowInsecureHttp: settings.allowInsecureHttp,
  headers: Redact.headers(settings.headers),
  brand: settings.brand ?? null,
  posCodes: settings.posCodes,
  exportDir: settings.exportDir,
  exportDirSource: settings.exportDirSource,
  journal:
    settings.journalUrl === undefined
      ? "local file"
      : Journal.describeDatabaseUrl(Redacted.value(settings.journalUrl)),
  journalSource: settings.journalUrlSource,
  retentionDays: settings.retentionDays
})
