/**
 * The settings the tools run with, resolved as `booster` resolves them (transport's `Profiles`): the
 * profile (`--profile`, else `BOOSTER_PROFILE`, else the profiles file's default), the API connection
 * (`BOOSTER_BASE_URL` over the profile's base URL; `BOOSTER_API_KEY`, `BOOSTER_API_KEY_FILE` or the
 * profile's `apiKeyFile` — a key file other users can read is refused), and the export folder, team
 * journal and retention, each flag > environment > profile > default. Loaded when a tool is first
 * called, so that starting the server stays fast.
 */
import * as Journal from "@booster-export/journal/Journal"
import type { BoosterError } from "@booster-export/transport"
import * as Profiles from "@booster-export/transport/Profiles"
import { Effect, Either } from "effect"
import type { Options } from "../options/options.js"

/** The settings of the tools. */
export interface Resolved {
  /** The profile in use, if any. */
  readonly profile: string | undefined
  /** How to reach the API (unless the server runs against its sandbox). */
  readonly connection: Profiles.Connection
  readonly exportDir: string
  readonly retentionDays: number
  /** The team journal, `postgres://…`; `undefined` = the local file. A secret: never printed. */
  readonly journalUrl: string | undefined
}

/** A setting that cannot be used: the setting, what is wrong, and what to do. */
export interface Problem {
  readonly field: string
  readonly message: string
  readonly hint: string
}

/** Resolves the settings of `options` under `env`; fails with the first setting that cannot be used. */
export const resolve = (
  options: Pick<
    Options,
    "profile" | "exportDir" | "exportDirSource" | "retentionDays" | "retentionDaysGiven" | "journalUrl"
  >,
  env: NodeJS.ProcessEnv = process.env
): Effect.Effect<Resolved, Problem> =>
  Effect.gen(function* () {
    const selected = yield* Profiles.select(yield* Profiles.load(env), { flag: options.profile, env })
    const connection = yield* Profiles.connection({ selected, env, requirePrivate: true })
    const { name, profile } = selected
    const journal =
      options.journalUrl !== undefined
        ? { url: options.journalUrl }
        : yield* Either.match(Journal.configuredUrl(env, { name, journalUrl: profile.journalUrl }), {
            onLeft: (error) => Effect.fail<Problem>(error),
            onRight: Effect.succeed
          })
    return {
      profile: name,
      connection,
      exportDir:
        options.exportDirSource === "default" && profile.exportDir !== undefined
          ? Profiles.expandHome(profile.exportDir, env)
          : options.exportDir,
      retentionDays:
        !options.retentionDaysGiven && profile.retentionDays !== undefined
          ? profile.retentionDays
          : options.retentionDays,
      journalUrl: journal?.url
    }
  }).pipe(
    Effect.mapError(
      (error: BoosterError.InvalidConfigError | Problem): Problem => ({
        field: error.field,
        message: error.message,
        hint: error.hint
      })
    )
  )
