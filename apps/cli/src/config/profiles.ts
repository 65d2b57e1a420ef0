/**
 * Named profiles (`$XDG_CONFIG_HOME/booster-export/profiles.json`, mode 0600) and the settings a
 * command runs with, resolved with the precedence flag > environment (`BOOSTER_*`) > profile >
 * default. Reading the profiles file and resolving the connection (base URL, API key, headers) is
 * transport's `Profiles`, shared with `booster-mcp`; this module writes the file and adds what the
 * command line uses besides (brand, POS codes, export folder, team journal, retention). Secrets
 * never live in the profile: it may only name a file holding the API key, or the key comes from
 * `BOOSTER_API_KEY`. The key is `Redacted` as soon as it is read; a key file other users may read or
 * write is refused, as the fingerprint key is.
 */
import * as Journal from "@booster-export/journal/Journal"
import type { BoosterError } from "@booster-export/transport"
import * as Profiles from "@booster-export/transport/Profiles"
import * as Redact from "@booster-export/transport/Redact"
import { Effect, Either, Redacted } from "effect"
import { ConfigError } from "../output/errors.js"
import * as Paths from "./paths.js"

/** One profile. Every member is optional. */
export const Profile = Profiles.Profile

/** One profile. */
export type Profile = Profiles.Profile

/** The profiles file. */
export const ProfilesFile = Profiles.ProfilesFile

/** The profiles file. */
export type ProfilesFile = Profiles.ProfilesFile

type Env = Readonly<Record<string, string | undefined>>

/** The command line's error for a setting transport's `Profiles` refused. */
const configError = (error: BoosterError.InvalidConfigError): ConfigError =>
  new ConfigError({ message: error.message, hint: error.hint, field: error.field })

/** Reads the profiles file; an absent file is an empty one. */
export const load = (env: Env = process.env): Effect.Effect<ProfilesFile, ConfigError> =>
  Effect.mapError(Profiles.load(env), configError)

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
export type Source = Profiles.Source

/** The API key and how it is sent. */
export type KeySettings = Profiles.ApiKey

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

/** The team journal's URL: `BOOSTER_JOURNAL_URL`, else the profile's `journalUrl` (without a password). */
const journalUrlOf = (
  env: Env,
  profile: Profile,
  name: string | undefined
): Effect.Effect<[Redacted.Redacted<string> | undefined, Source], ConfigError> =>
  Either.match(Journal.configuredUrl(env, { name, journalUrl: profile.journalUrl }), {
    onLeft: (error) =>
      Effect.fail(new ConfigError({ message: error.message, hint: error.hint, field: error.field })),
    onRight: (configured) =>
      Effect.succeed(
        configured === undefined ? [undefined, "default"] : [Redacted.make(configured.url), configured.source]
      )
  })

/** Setting flags common to the commands that talk to the API. */
export interface SettingFlags {
  readonly profile?: string | undefined
  readonly baseUrl?: string | undefined
  readonly apiKeyFile?: string | undefined
}

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
    const selected = yield* Profiles.select(yield* Profiles.load(env), { flag: flags.profile, env })
    const connection = yield* Profiles.connection({
      selected,
      flags: { baseUrl: flags.baseUrl, apiKeyFile: flags.apiKeyFile },
      env,
      requirePrivate: options.allowOpenKeyFile !== true
    })
    const { name, profile } = selected
    const [exportDir, exportDirSource]: [string, Source] = env.BOOSTER_EXPORT_DIR?.trim()
      ? [env.BOOSTER_EXPORT_DIR.trim(), "env"]
      : profile.exportDir
        ? [Profiles.expandHome(profile.exportDir, env), "profile"]
        : [process.cwd(), "default"]
    const [journalUrl, journalUrlSource] = yield* journalUrlOf(env, profile, name)
    return {
      ...connection,
      brand: profile.brand,
      posCodes: profile.posCodes ?? [],
      exportDir,
      exportDirSource,
      journalUrl,
      journalUrlSource,
      retentionDays: profile.retentionDays ?? DEFAULT_RETENTION_DAYS
    }
  }).pipe(Effect.catchTag("InvalidConfigError", (error) => Effect.fail(configError(error))))

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
