/**
 * The journal a command records in and reads: the team's PostgreSQL database when
 * `BOOSTER_JOURNAL_URL` (or the profile's `journalUrl`) names one, else the local file in the state
 * folder (`$XDG_STATE_HOME/booster-export/`). The database is reached on first use only (a dry run or
 * a usage error never connects), and the PostgreSQL client is loaded only then. Beside it, always in
 * the state folder, this install's own record of downloads: the only files retention deletes.
 */
import { Downloads, Journal } from "@booster-export/journal"
import { Effect, Layer, Redacted } from "effect"
import type * as Common from "../config/options.js"
import * as Profiles from "../config/profiles.js"

/**
 * The journal of these settings, for the life of the command (a database pool closes with it), and
 * this install's record of downloads.
 */
export const layer = (
  settings: Pick<Profiles.Settings, "journalUrl">
): Layer.Layer<Journal.Journal | Downloads.Downloads> => Layer.merge(journalOf(settings), Downloads.layer())

const journalOf = (settings: Pick<Profiles.Settings, "journalUrl">): Layer.Layer<Journal.Journal> => {
  const url = settings.journalUrl
  if (url === undefined) return Journal.layer()
  return Journal.layerOnFirstUse(
    Journal.describeDatabaseUrl(Redacted.value(url)),
    Effect.flatMap(
      Effect.promise(() => import("@booster-export/journal-pg/PgJournal")),
      (PgJournal) => Effect.map(PgJournal.connect({ url }), (database) => database.journal)
    )
  )
}

/** The journal of the settings the command's flags, the environment and the profile give. */
export const fromOptions = (options: Partial<Pick<Common.SettingOptions, "profile">>) =>
  Layer.unwrapEffect(
    Effect.map(
      Profiles.resolveSettings({
        profile: options.profile?._tag === "Some" ? options.profile.value : undefined
      }),
      layer
    )
  )
