/**
 * Where the command line keeps its files: profiles under `$XDG_CONFIG_HOME/booster-export/`, caches
 * under `$XDG_CACHE_HOME/booster-export/` (the journal's place is transport's `Journal.defaultDirectory`).
 */
import { homedir } from "node:os"
import { join } from "node:path"

type Env = Readonly<Record<string, string | undefined>>

const base = (env: Env, variable: string, fallback: ReadonlyArray<string>): string => {
  const value = env[variable]?.trim()
  return value ? value : join(env.HOME?.trim() || homedir(), ...fallback)
}

/** The folder of the profiles file. */
export const configDir = (env: Env = process.env): string =>
  join(base(env, "XDG_CONFIG_HOME", [".config"]), "booster-export")

/** The folder of caches (start-up code cache). */
export const cacheDir = (env: Env = process.env): string =>
  join(base(env, "XDG_CACHE_HOME", [".cache"]), "booster-export")

/** The profiles file. */
export const profilesFile = (env: Env = process.env): string => join(configDir(env), "profiles.json")
