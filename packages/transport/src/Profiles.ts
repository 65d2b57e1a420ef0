/**
 * Named profiles (`$XDG_CONFIG_HOME/booster-export/profiles.json`, written by `booster config set`,
 * mode 0600) and the connection a program runs with, resolved with the precedence flag > environment
 * (`BOOSTER_*`) > profile > default — the one resolution `booster` and `booster-mcp` share. Secrets
 * never live in a profile: it may only name a file holding the API key (`apiKeyFile`), or the key
 * comes from `BOOSTER_API_KEY` / `BOOSTER_API_KEY_FILE`. A key is `Redacted` as soon as it is read,
 * and errors name the setting and the file, never a key.
 *
 * @since 0.1.0
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join, resolve as resolvePath } from "node:path"
import { Effect, Either, Redacted, Schema } from "effect"
import * as Auth from "./Auth.js"
import * as BoosterConfig from "./BoosterConfig.js"
import { InvalidConfigError } from "./BoosterError.js"

type Env = Readonly<Record<string, string | undefined>>

/**
 * One profile. Every member is optional: `baseUrl`, `apiKeyHeader` (the header carrying the key
 * instead of `Authorization: Bearer`), `apiKeyFile` (a file holding the key alone), `allowInsecureHttp`
 * (plain http to this profile's own non-loopback base URL), `headers` (extra static headers),
 * `brand`, `posCodes`, `exportDir`, `journalUrl` (the team journal, without a password),
 * `retentionDays`.
 *
 * @since 0.1.0
 */
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

/**
 * One profile.
 *
 * @since 0.1.0
 */
export type Profile = typeof Profile.Type

/**
 * The profiles file: the profiles by name and the one used when none is named.
 *
 * @since 0.1.0
 */
export const ProfilesFile = Schema.Struct({
  default: Schema.optional(Schema.String),
  profiles: Schema.Record({ key: Schema.String, value: Profile })
})

/**
 * The profiles file.
 *
 * @since 0.1.0
 */
export type ProfilesFile = typeof ProfilesFile.Type

/**
 * The environment variable naming the profile to use: `BOOSTER_PROFILE`.
 *
 * @since 0.1.0
 */
export const ENV_VAR = "BOOSTER_PROFILE"

/**
 * The folder of the profiles file for `env`: `$XDG_CONFIG_HOME/booster-export`, else
 * `$HOME/.config/booster-export`. Nothing is created or read.
 *
 * @since 0.1.0
 */
export const directory = (env: Env = process.env): string => {
  const configHome = env.XDG_CONFIG_HOME?.trim()
  return join(configHome || join(env.HOME?.trim() || homedir(), ".config"), "booster-export")
}

/**
 * The profiles file for `env`: `profiles.json` in {@link directory}.
 *
 * @since 0.1.0
 */
export const file = (env: Env = process.env): string => join(directory(env), "profiles.json")

/**
 * A path as written in a setting, with a leading `~/` read as the home folder (`HOME` of `env`, else
 * the user's).
 *
 * @since 0.1.0
 */
export const expandHome = (path: string, env: Env = process.env): string =>
  path.startsWith("~/") ? resolvePath(env.HOME?.trim() || homedir(), path.slice(2)) : path

const decodeFile = Schema.decodeUnknownEither(Schema.parseJson(ProfilesFile))

/**
 * Reads the profiles file of `env` ({@link file}); an absent file is an empty one. Fails with
 * `InvalidConfigError` (field `profiles`) naming the file when it cannot be read or is not valid.
 *
 * @since 0.1.0
 */
export const load = (env: Env = process.env): Effect.Effect<ProfilesFile, InvalidConfigError> =>
  Effect.suspend(() => {
    const path = file(env)
    let text: string
    try {
      text = readFileSync(path, "utf8")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return Effect.succeed({ profiles: {} })
      return Effect.fail(
        new InvalidConfigError({
          message: `The profiles file ${path} cannot be read`,
          hint: "Check its permissions.",
          field: "profiles"
        })
      )
    }
    return Either.match(decodeFile(text), {
      onLeft: () =>
        Effect.fail(
          new InvalidConfigError({
            message: `The profiles file ${path} is not valid`,
            hint: "Fix it by hand, or remove it and use `booster config set` again.",
            field: "profiles"
          })
        ),
      onRight: Effect.succeed
    })
  })

/**
 * The profile in use: its name (`undefined` when none is named and the file has no default) and its
 * settings (empty when unnamed).
 *
 * @since 0.1.0
 */
export interface Selected {
  readonly name: string | undefined
  readonly profile: Profile
}

/**
 * The profile named by `flag` (e.g. `--profile`), else by `BOOSTER_PROFILE`, else the file's
 * default. A profile named by the flag or the environment that the file does not hold fails with
 * `InvalidConfigError` (field `--profile` or `BOOSTER_PROFILE`).
 *
 * @since 0.1.0
 */
export const select = (
  profiles: ProfilesFile,
  options: { readonly flag?: string | undefined; readonly env?: Env }
): Effect.Effect<Selected, InvalidConfigError> => {
  const env = options.env ?? process.env
  const flag = options.flag?.trim() || undefined
  const fromEnv = env[ENV_VAR]?.trim() || undefined
  const name = flag ?? fromEnv ?? profiles.default
  if (name === undefined) return Effect.succeed({ name, profile: {} })
  const profile = profiles.profiles[name]
  if (profile === undefined && (flag !== undefined || fromEnv !== undefined)) {
    return Effect.fail(
      new InvalidConfigError({
        message: `There is no profile named ${name}`,
        hint: `Create it with \`booster config set --profile ${name} --base-url URL\`, or list them with \`booster config list\`.`,
        field: flag !== undefined ? "--profile" : ENV_VAR
      })
    )
  }
  return Effect.succeed({ name, profile: profile ?? {} })
}

/**
 * Mode bits of a key file that must be clear for a program that refuses shared key files: group and
 * others.
 */
const SHARED_BITS = 0o077

/** A key file open to group or others, found with its mode. */
class SharedKeyFile {
  constructor(readonly mode: number) {}
}

/**
 * Reads the API key from the file at `path` (a leading `~/` is the home folder of `env`), trimmed, as
 * `Redacted`. `field` names the setting that named the file, in errors. The file is opened once and,
 * with `requirePrivate`, its mode is read from that open file (so that it cannot be swapped between
 * the check and the read): a file that other users can read or write (mode bits 0o077 set) is
 * refused, as a key must not be readable by anyone but its owner. Fails with `InvalidConfigError`
 * (field `field`, `path` the file) when the file cannot be read, is empty or, with `requirePrivate`,
 * is not private.
 *
 * @since 0.1.0
 */
export const readKeyFile = (
  path: string,
  field: string,
  options: { readonly requirePrivate?: boolean; readonly env?: Env } = {}
): Effect.Effect<Redacted.Redacted<string>, InvalidConfigError> =>
  Effect.suspend(() => {
    const expanded = expandHome(path, options.env)
    const checkMode = options.requirePrivate === true && process.platform !== "win32"
    let key: string
    try {
      const fd = openSync(expanded, constants.O_RDONLY)
      try {
        const mode = fstatSync(fd).mode
        if (checkMode && (mode & SHARED_BITS) !== 0) throw new SharedKeyFile(mode)
        key = readFileSync(fd, "utf8").trim()
      } finally {
        closeSync(fd)
      }
    } catch (error) {
      return Effect.fail(
        error instanceof SharedKeyFile
          ? new InvalidConfigError({
              message: `The API key file named by ${field} (${expanded}) can be read or written by other users (mode 0${(error.mode & 0o777).toString(8)}); it was not used`,
              hint: `Make it readable by its owner only: chmod 600 ${expanded}`,
              field,
              path: expanded
            })
          : new InvalidConfigError({
              message: `The API key file named by ${field} cannot be read`,
              hint: "Check the path and its permissions; the file holds the key alone.",
              field,
              path: expanded
            })
      )
    }
    if (key === "") {
      return Effect.fail(
        new InvalidConfigError({
          message: `The API key file named by ${field} is empty`,
          hint: "Put the key in it.",
          field,
          path: expanded
        })
      )
    }
    return Effect.succeed(Redacted.make(key))
  })

/**
 * An API key and how it is sent: `header` (`undefined` = `Authorization: Bearer`), whether it was
 * read from the environment or a file (`source`), where it was named (`origin`: a flag, the
 * environment, the profile) and the file it was read from.
 *
 * @since 0.1.0
 */
export interface ApiKey {
  readonly key: Redacted.Redacted<string>
  readonly header: string | undefined
  readonly source: "env" | "file"
  readonly origin: "flag" | "env" | "profile"
  readonly path?: string
}

/**
 * The API key: a file named by `flagFile` (e.g. `--api-key-file`), else `BOOSTER_API_KEY`, else the
 * file named by `BOOSTER_API_KEY_FILE`, else the profile's `apiKeyFile`; sent in the header named by
 * `BOOSTER_API_KEY_HEADER`, else the profile's `apiKeyHeader`, else as a bearer token. `undefined`
 * when none is given. `requirePrivate` as for {@link readKeyFile}.
 *
 * @since 0.1.0
 */
export const apiKey = (options: {
  readonly selected: Selected
  readonly flagFile?: string | undefined
  readonly env?: Env
  readonly requirePrivate?: boolean
}): Effect.Effect<ApiKey | undefined, InvalidConfigError> =>
  Effect.gen(function* () {
    const env = options.env ?? process.env
    const { name, profile } = options.selected
    const read = { requirePrivate: options.requirePrivate ?? false, env }
    const named = env.BOOSTER_API_KEY_HEADER?.trim() || profile.apiKeyHeader
    const header = named !== undefined && named.toLowerCase() !== "authorization" ? named : undefined
    const flagFile = options.flagFile?.trim()
    if (flagFile) {
      const key = yield* readKeyFile(flagFile, "--api-key-file", read)
      return { key, header, source: "file", origin: "flag", path: expandHome(flagFile, env) }
    }
    const fromEnv = env.BOOSTER_API_KEY?.trim()
    if (fromEnv) return { key: Redacted.make(fromEnv), header, source: "env", origin: "env" }
    const envFile = env.BOOSTER_API_KEY_FILE?.trim()
    if (envFile) {
      const key = yield* readKeyFile(envFile, "BOOSTER_API_KEY_FILE", read)
      return { key, header, source: "file", origin: "env", path: expandHome(envFile, env) }
    }
    if (profile.apiKeyFile) {
      const key = yield* readKeyFile(profile.apiKeyFile, `profile ${name} apiKeyFile`, read)
      return { key, header, source: "file", origin: "profile", path: expandHome(profile.apiKeyFile, env) }
    }
    return undefined
  })

/**
 * The credentials to send: an API key named by a flag first; then HTTP basic or OAuth2 client
 * credentials given by the environment (`BOOSTER_BASIC_*`, `BOOSTER_OAUTH2_*`: see
 * `BoosterConfig.authFromEnv`), over a profile's key file; then the API key; else `Auth.none`. A key
 * file named by `BOOSTER_API_KEY_FILE` beside basic or OAuth2 variables is refused
 * (`InvalidConfigError`, field `auth`), as are credentials of two kinds in the environment.
 *
 * @since 0.1.0
 */
export const auth = (
  key: ApiKey | undefined,
  env: Env = process.env
): Either.Either<Auth.Auth, InvalidConfigError> => {
  const keyAuth: Auth.Auth =
    key === undefined
      ? Auth.none
      : key.header !== undefined
        ? Auth.apiKeyHeader(key.header, key.key)
        : Auth.bearer(key.key)
  if (key?.origin === "flag") return Either.right(keyAuth)
  return Either.flatMap(
    BoosterConfig.authFromEnv(env),
    (fromEnv): Either.Either<Auth.Auth, InvalidConfigError> => {
      if (fromEnv === undefined || fromEnv._tag === "Bearer" || fromEnv._tag === "ApiKeyHeader") {
        return Either.right(keyAuth)
      }
      if (key?.origin === "env") {
        return Either.left(
          new InvalidConfigError({
            field: "auth",
            message: `Credentials of more than one kind are set (BOOSTER_API_KEY_FILE and ${fromEnv._tag === "Basic" ? "BOOSTER_BASIC_*" : "BOOSTER_OAUTH2_*"})`,
            hint: "Keep the variables of one kind only: an API key, basic, or OAuth2 client credentials."
          })
        )
      }
      return Either.right(fromEnv)
    }
  )
}

/**
 * Where a setting came from.
 *
 * @since 0.1.0
 */
export type Source = "flag" | "env" | "profile" | "default"

/**
 * How to reach the API: the profile in use, the base URL and where it came from, the API key, the
 * plain-http opt-out (the profile's own base URL only) and the profile's extra headers.
 *
 * @since 0.1.0
 */
export interface Connection {
  readonly profile: string | undefined
  readonly baseUrl: string | undefined
  readonly baseUrlSource: Source
  readonly key: ApiKey | undefined
  readonly allowInsecureHttp: boolean
  readonly headers: Readonly<Record<string, string>>
}

/**
 * The connection of the selected profile under `flags` and `env`: the base URL from `flags.baseUrl`,
 * else `BOOSTER_BASE_URL`, else the profile; the key of {@link apiKey}; the profile's
 * `allowInsecureHttp` only when the base URL is the profile's own; the profile's headers.
 *
 * @since 0.1.0
 */
export const connection = (options: {
  readonly selected: Selected
  readonly flags?: { readonly baseUrl?: string | undefined; readonly apiKeyFile?: string | undefined }
  readonly env?: Env
  readonly requirePrivate?: boolean
}): Effect.Effect<Connection, InvalidConfigError> =>
  Effect.gen(function* () {
    const env = options.env ?? process.env
    const { name, profile } = options.selected
    const flagUrl = options.flags?.baseUrl?.trim()
    const envUrl = env.BOOSTER_BASE_URL?.trim()
    const [baseUrl, baseUrlSource]: [string | undefined, Source] = flagUrl
      ? [flagUrl, "flag"]
      : envUrl
        ? [envUrl, "env"]
        : profile.baseUrl
          ? [profile.baseUrl, "profile"]
          : [undefined, "default"]
    const key = yield* apiKey({
      selected: options.selected,
      flagFile: options.flags?.apiKeyFile,
      env,
      ...(options.requirePrivate !== undefined ? { requirePrivate: options.requirePrivate } : {})
    })
    return {
      profile: name,
      baseUrl,
      baseUrlSource,
      key,
      // the opt-out belongs to the profile's own base URL, not to one given by a flag or the environment
      allowInsecureHttp: profile.allowInsecureHttp === true && baseUrlSource === "profile",
      headers: profile.headers ?? {}
    }
  })
