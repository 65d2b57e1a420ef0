/**
 * The request of `booster export`: the raw filter from a saved filter, a filter file, the flags and
 * the profile's defaults, relative dates resolved and validated with core. Used alike by a start and
 * by `--dry-run` (the full program's and the fast path's).
 */
import { ExportFilter, Validation } from "@booster-export/core"
import { Effect, Either } from "effect"
import * as Filters from "../filters/store.js"
import * as CommaLists from "./comma-lists.js"
import * as FilterFile from "./filter-file.js"
import * as FilterInput from "./filter-input.js"
import { resolvePersonal } from "./personal-input.js"

/** What the command line says about the filter. */
export interface RequestInput {
  /** `--filter NAME`: the saved filter to start from. */
  readonly savedFilter: string | undefined
  /** `--filter-file PATH|-`. */
  readonly filterFile: string | undefined
  /** `--download-request-id ID`. */
  readonly downloadRequestId: string | undefined
  /** The texts given to each filter flag, keyed by wire field. */
  readonly texts: Readonly<Record<string, ReadonlyArray<string>>>
}

/** The validated filter and the optional id, from the flags, the filter file and the profile. */
export const build = (input: RequestInput, defaults: FilterInput.FilterDefaults) =>
  Effect.gen(function* () {
    const saved = input.savedFilter !== undefined ? (yield* Filters.get(input.savedFilter)).filter : {}
    const file = input.filterFile !== undefined ? yield* FilterFile.read(input.filterFile) : {}
    const { downloadRequestId: fileId, ...fileFilter } = file
    const texts = yield* resolvePersonal(input.texts, input.filterFile === "-")
    yield* CommaLists.checkSingleValues(texts)
    const filter = yield* FilterInput.resolveRelative(
      FilterInput.merge({ ...saved, ...fileFilter }, FilterInput.fromFlags(texts), defaults)
    )
    const id = input.downloadRequestId ?? (typeof fileId === "string" ? fileId : undefined)
    const validated = yield* Either.match(Validation.validate(ExportFilter.CustomerFilter, filter), {
      onLeft: (error) => Effect.fail(CommaLists.explain(error, CommaLists.splitFlags(texts))),
      onRight: Effect.succeed
    })
    return { filter: validated, downloadRequestId: id }
  })
