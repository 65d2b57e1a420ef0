/**
 * Where the command line keeps its files: profiles under `$XDG_CONFIG_HOME/booster-export/`, caches
 * under `$XDG_CACHE_HOME/booster-export/` (the journal and the fingerprint key are in the state folder,
 * transport's `StateDirectory`).
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import * as Profiles from "@booster-export/transport/Profiles"
import { Effect, type Either } from "effect"
import { ConfigError } from "../output/errors.js"

type Env = Readonly<Record<string, string | undefined>>

const base = (env: Env, variable: string, fallback: ReadonlyArray<string>): string => {
  const value = env[variable]?.trim()
  return value ? value : join(env.HOME?.trim() || homedir(), ...fallback)
}

/** The folder of the profiles file (transport's `Profiles.directory`). */
export const configDir = (env: Env = process.env): string => Profiles.directory(env)

/** The folder of caches (start-up code cache). */
export const cacheDir = (env: Env = process.env): string =>
  join(base(env, "XDG_CACHE_HOME", [".cache"]), "booster-export")

/** The profiles file (transport's `Profiles.file`). */
export const profilesFile = (env: Env = process.env): string => Profiles.file(env)

/** The saved filters file. */
export const filtersFile = (env: Env = process.env): string => join(configDir(env), "filters.json")

/**
 * Writes a JSON value to a private file atomically: a temporary file with mode 0600 renamed over
 * the target, in a folder created with mode 0700. Throws when it cannot be written.
 */
export const writePrivateJson = (path: string, value: unknown): void => {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 })
  chmodSync(temp, 0o600)
  renameSync(temp, path)
}

/**
 * Reads a JSON settings file (profiles, saved filters): an absent file is `empty`; one that cannot be
 * read or decoded is a `ConfigError` naming the file, with `hint` saying how to repair it.
 */
export const readJson = <A>(
  path: string,
  decode: (text: string) => Either.Either<A, unknown>,
  empty: A,
  what: { readonly name: string; readonly hint: string }
): Effect.Effect<A, ConfigError> =>
  Effect.suspend(() => {
    let text: string
    try {
      text = readFileSync(path, "utf8")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return Effect.succeed(empty)
      return Effect.fail(
        new ConfigError({
          message: `The ${what.name} file ${path} cannot be read`,
          hint: "Check its permissions.",
          field: what.name
        })
      )
    }
    const decoded = decode(text)
    return decoded._tag === "Right"
      ? Effect.succeed(decoded.right)
      : Effect.fail(
          new ConfigError({
            message: `The ${what.name} file ${path} is not valid`,
            hint: what.hint,
            field: what.name
          })
        )
  })
