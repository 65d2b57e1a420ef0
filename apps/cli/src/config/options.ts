/**
 * Options shared by the commands: output mode, prompting, and the settings flags (profile, base URL,
 * API key file) that take precedence over the environment and the profile.
 */
import { ExportKind } from "@booster-export/core"
import { Options } from "@effect/cli"
import { Effect, Option } from "effect"
import type { Extra } from "../client/options.js"
import type { Client } from "../client/runtime.js"
import * as Profiles from "./profiles.js"

/** `--json`: machine output on stdout, errors as one JSON object on stderr. */
export const json = Options.boolean("json").pipe(
  Options.withDescription("Machine output: one JSON value on stdout, errors as JSON on stderr.")
)

/** `--no-input`: never prompt, even on a terminal. */
export const noInput = Options.boolean("no-input").pipe(
  Options.withDescription("Never prompt, even on a terminal (use --yes to confirm).")
)

/** `--limit N`: at most this many rows, newest first (default 20). */
export const limit = Options.integer("limit").pipe(
  Options.withPseudoName("N"),
  Options.withDescription("Show at most this many, newest first (default 20)."),
  Options.withDefault(20)
)

/** The states a task can be asked for by: `--status completed`. */
/** The description of a `--kind KIND` flag: the kinds, customers last as the default (short enough for one help line). */
export const kindDescription = `Kind: ${ExportKind.names.filter((name) => name !== ExportKind.Customer.name).join(", ")} or ${ExportKind.Customer.name} (the default).`

export const STATUSES = ["requested", "in-progress", "completed", "error"] as const

/** `--status`: only the tasks in this state. */
export const status = Options.choice("status", STATUSES).pipe(
  Options.withDescription("Only the tasks in this state: requested, in-progress, completed or error."),
  Options.optional
)

/** The settings flags. */
export const settings = {
  profile: Options.text("profile").pipe(
    Options.withPseudoName("NAME"),
    Options.withDescription("Profile to use (default: BOOSTER_PROFILE, then the file's default)."),
    Options.optional
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription("API base URL (overrides BOOSTER_BASE_URL and the profile)."),
    Options.optional
  ),
  apiKeyFile: Options.text("api-key-file").pipe(
    Options.withPseudoName("PATH"),
    Options.withDescription("File holding the API key (overrides BOOSTER_API_KEY and the profile)."),
    Options.optional
  )
}

/** What the settings flags parse to. */
export interface SettingOptions {
  readonly profile: Option.Option<string>
  readonly baseUrl: Option.Option<string>
  readonly apiKeyFile: Option.Option<string>
}

/** Resolves the settings from the flags, the environment and the profile. */
export const resolve = (options: SettingOptions) =>
  Profiles.resolveSettings({
    profile: Option.getOrUndefined(options.profile),
    baseUrl: Option.getOrUndefined(options.baseUrl),
    apiKeyFile: Option.getOrUndefined(options.apiKeyFile)
  })

/** Loads the client module (and transport) on demand and builds a client from the settings. */
export const client = (resolved: Profiles.Settings, extra: Extra = {}) =>
  Effect.promise(() => import("../client/runtime.js")).pipe(
    Effect.flatMap((runtime) => runtime.make(resolved, extra))
  )

/** The type of the client service. */
export type { Client }
