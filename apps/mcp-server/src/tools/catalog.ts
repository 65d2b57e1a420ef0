/**
 * The tools this server offers, and which of them only read.
 */

import * as ConsentTokens from "@booster-export/journal/ConsentTokens"
import * as Downloads from "@booster-export/journal/Downloads"
import * as Journal from "@booster-export/journal/Journal"
import * as PrivacyBudget from "@booster-export/journal/PrivacyBudget"
import * as Starts from "@booster-export/journal/Starts"
import * as FingerprintKey from "@booster-export/transport/FingerprintKey"
import { Effect, Layer, Redacted, Scope } from "effect"
import type { Api } from "../booster/api.js"
import { Consent, type Mode, make as makeConsent } from "../consent/consent.js"
import { describeSchedule } from "./describe-schedule.js"
import { download } from "./download.js"
import { getTask } from "./get-task.js"
import { listSchedules } from "./list-schedules.js"
import { listTasks } from "./list-tasks.js"
import { preview } from "./preview.js"
import { type Schedules, layer as schedulesLayer } from "./schedules.js"
import type { Settings } from "./settings.js"
import { start } from "./start.js"
import { summarizeExport } from "./summarize.js"
import type { Tool } from "./tool.js"

/** The services the tools need. */
export type ToolServices =
  | Api
  | Journal.Journal
  | Downloads.Downloads
  | Starts.Starts
  | Settings
  | Consent
  | FingerprintKey.FingerprintKey
  | PrivacyBudget.PrivacyBudget
  | Schedules

/** The team database at `url` for the life of the scope; the PostgreSQL client is loaded only then. */
const openDatabase = (url: string) =>
  Effect.flatMap(
    Effect.promise(() => import("@booster-export/journal-pg/PgJournal")),
    (PgJournal) => PgJournal.connect({ url: Redacted.make(url) })
  )

/**
 * The journal, shared with `booster`, that the tools record starts and downloads in: the team's
 * PostgreSQL database when `url` names one (opened on first use), else the file in `directory`.
 */
export const journal = (directory: string, url?: string | undefined): Layer.Layer<Journal.Journal> =>
  url === undefined
    ? Journal.layer(directory)
    : Journal.layerOnFirstUse(
        Journal.describeDatabaseUrl(url),
        Effect.map(openDatabase(url), (database) => database.journal)
      )

/**
 * This install's own record of downloads, in the state folder `directory` whatever the journal: the
 * only files retention deletes and the summary reads.
 */
export const downloads = (directory: string): Layer.Layer<Downloads.Downloads> => Downloads.layer(directory)

/**
 * This install's own record of the exports it started, in the state folder `directory` whatever the
 * journal: the only proof that an export was started here with the user's consent (a team database's
 * `started` rows can be written by any member).
 */
export const starts = (directory: string): Layer.Layer<Starts.Starts> => Starts.layer(directory)

/**
 * The journal, the consent service and the summaries' privacy budget together: with a team database
 * (`url`), all in it, opened once on first use, so that every replica sharing the database accepts a
 * confirmation another one handed out, once, and charges one budget; else the journal file and the
 * budget file in `directory` and confirmations in the token file beside them
 * (`ConsentTokens.makeFile`), so that a server started anew (as the MCP Inspector's CLI mode does for
 * every call) accepts the confirmation an earlier process handed out, once.
 */
export const journalAndConsent = (
  directory: string,
  url: string | undefined,
  mode: Mode,
  ttlMs: number
): Layer.Layer<Journal.Journal | Consent | PrivacyBudget.PrivacyBudget> =>
  url === undefined
    ? Layer.mergeAll(
        Journal.layer(directory),
        Layer.succeed(Consent, makeConsent(mode, ttlMs, Effect.succeed(ConsentTokens.makeFile(directory)))),
        PrivacyBudget.layer(directory)
      )
    : Layer.unwrapScoped(
        Effect.gen(function* () {
          const scope = yield* Effect.scope
          const database = yield* Effect.cached(Scope.extend(openDatabase(url), scope))
          return Layer.mergeAll(
            Journal.layerOnFirstUse(
              Journal.describeDatabaseUrl(url),
              Effect.map(database, (opened) => opened.journal)
            ),
            Layer.succeed(PrivacyBudget.PrivacyBudget, {
              location: Journal.describeDatabaseUrl(url),
              spend: (charge) => Effect.flatMap(database, (opened) => opened.budget.spend(charge))
            }),
            Layer.succeed(
              Consent,
              makeConsent(
                mode,
                ttlMs,
                Effect.map(database, (opened) => opened.tokens)
              )
            )
          )
        })
      )

/**
 * The fingerprint key, shared with `booster`: `BOOSTER_FINGERPRINT_KEY_FILE`, else the per-install
 * key in the journal's folder; loaded when a tool first fingerprints a filter.
 */
export const fingerprintKey = (directory: string, env: NodeJS.ProcessEnv = process.env) =>
  FingerprintKey.layer({ env, directory })

/**
 * The schedules `booster schedule` keeps (the team database at `url`, else the state folder's SQLite
 * file), read only, opened on first use.
 */
export const schedules = (directory: string, url?: string | undefined): Layer.Layer<Schedules> =>
  schedulesLayer(directory, url)

/** Every tool, in the order they are listed. */
export const all: ReadonlyArray<Tool<ToolServices>> = [
  preview,
  start,
  getTask,
  listTasks,
  download,
  summarizeExport,
  listSchedules,
  describeSchedule
]

/** The tools a `--read-only` server offers. */
export const readOnly: ReadonlyArray<Tool<ToolServices>> = all.filter((tool) => tool.annotations.readOnlyHint)
