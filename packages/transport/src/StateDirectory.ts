/**
 * The folder of the toolkit's local state on this machine, shared by `booster`, `booster-mcp` and
 * programs using the libraries: the per-install fingerprint key (`FingerprintKey`) and the local
 * journal (`@booster-export/journal`) live there. Folders the toolkit creates in it are mode 0700.
 *
 * @since 0.1.0
 */
import { homedir } from "node:os"
import { join } from "node:path"

type Env = Readonly<Record<string, string | undefined>>

/**
 * The state folder for `env` (default: this process's environment): `$XDG_STATE_HOME/booster-export`,
 * else `$HOME/.local/state/booster-export` (the user's home directory when `HOME` is unset or blank).
 * Nothing is created or read.
 *
 * @since 0.1.0
 */
export const resolve = (env: Env = process.env): string => {
  const stateHome = env.XDG_STATE_HOME?.trim()
  return stateHome
    ? join(stateHome, "booster-export")
    : join(env.HOME?.trim() || homedir(), ".local", "state", "booster-export")
}
