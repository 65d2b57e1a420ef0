/**
 * The tools this server offers, and which of them only read.
 */
import * as FingerprintKey from "@booster-export/transport/FingerprintKey"
import * as Journal from "@booster-export/transport/Journal"
import { Effect, type Layer, Redacted } from "effect"
import type { Api } from "../booster/api.js"
import type { Consent } from "../consent/consent.js"
import { download } from "./download.js"
import { getTask } from "./get-task.js"
import { listTasks } from "./list-tasks.js"
import { preview } from "./preview.js"
import type { Settings } from "./settings.js"
import { start } from "./start.js"
import { summarizeExport } from "./summarize.js"
import type { Tool } from "./tool.js"

/** The services the tools need. */
export type ToolServices = Api | Journal.Journal | Settings | Consent | FingerprintKey.FingerprintKey

/**
 * The journal, shared with `booster`, that the tools record starts and downloads in: the team's
 * PostgreSQL database when `url` names one (opened on first use), else the file in `directory`.
 */
export const journal = (directory: string, url?: string | undefined): Layer.Layer<Journal.Journal> =>
  url === undefined
    ? Journal.layer(directory)
    : Journal.layerOnFirstUse(
        Journal.describeDatabaseUrl(url),
        Effect.flatMap(
          Effect.promise(() => import("@booster-export/transport/PgJournal")),
          (PgJournal) => PgJournal.make({ url: Redacted.make(url) })
        )
      )

/**
 * The fingerprint key, shared with `booster`: `BOOSTER_FINGERPRINT_KEY_FILE`, else the per-install
 * key in the journal's folder; loaded when a tool first fingerprints a filter.
 */
export const fingerprintKey = (directory: string, env: NodeJS.ProcessEnv = process.env) =>
  FingerprintKey.layer({ env, directory })

/** Every tool, in the order they are listed. */
export const all: ReadonlyArray<Tool<ToolServices>> = [
  preview,
  start,
  getTask,
  listTasks,
  download,
  summarizeExport
]

/** The tools a `--read-only` server offers. */
export const readOnly: ReadonlyArray<Tool<ToolServices>> = all.filter((tool) => tool.annotations.readOnlyHint)
