/**
 * The request of `booster export [KIND]`: the raw filter from a saved filter, a filter file, the flags and
 * the profile's defaults, relative dates resolved and validated with core. Used alike by a start and
 * by `--dry-run` (the full program's and the fast path's).
 */
import { ExportKind, Validation } from "@booster-export/core"
import { Effect, Either } from "effect"
import * as Filters from "../filters/store.js"
import * as CommaLists from "./comma-lists.js"
import * as FilterFile from "./filter-file.js"
import * as FilterInput from "./filter-input.js"
import { resolvePersonal } from "./personal-input.js"

/** What the command line says about the filter. */
export interface RequestInput {
  /** The export kind (`booster export KIND`; customers when none is named). */
  readonly kind: ExportKind.Any
  /** `--filter NAME`: the saved filter to start from. */
  readonly savedFilter: string | undefined
  /** `--filter-file PATH|-`. */
  readonly filterFile: string | undefined
  /** `--download-request-id ID`. */
  readonly downloadRequestId: string | undefined
  /** The texts given to each filter flag, keyed by wire field. */
  readonly texts: Readonly<Record<string, ReadonlyArray<string>>>
}

/**
 * The validated filter of the input's kind and the optional id, from the flags, the filter file and
 * the profile. A saved filter of another kind is refused (exit 2). A filter that breaks a rule fails
 * with core's `ValidationError` naming the kind, whose hint then points at that kind's help.
 */
export const build = (input: RequestInput, defaults: FilterInput.FilterDefaults) =>
  Effect.mapError(buildFilter(input, defaults), withKind(input.kind))

/** Names `kind` on a `ValidationError` that names no kind (so that its hint points at that kind's help); other errors pass. */
export const withKind =
  (kind: ExportKind.Any) =>
  <E>(error: E): E | Validation.ValidationError =>
    error instanceof Validation.ValidationError && error.kind === undefined
      ? new Validation.ValidationError({ issues: error.issues, kind: kind.name })
      : error

const buildFilter = (input: RequestInput, defaults: FilterInput.FilterDefaults) =>
  Effect.gen(function* () {
    const { kind } = input
    const saved =
      input.savedFilter !== undefined
        ? yield* Filters.getOfKind(input.savedFilter, kind, (savedKind) =>
            savedKind === ExportKind.Customer.name
              ? "booster export --filter NAME"
              : `booster export ${savedKind} --filter NAME`
          )
        : undefined
    const file = input.filterFile !== undefined ? yield* FilterFile.read(input.filterFile) : {}
    const { downloadRequestId: fileId, ...fileFilter } = file
    const texts = yield* resolvePersonal(input.texts, input.filterFile === "-")
    yield* CommaLists.checkSingleValues(texts, kind)
    const filter = yield* FilterInput.resolveRelative(
      FilterInput.merge({ ...saved?.filter, ...fileFilter }, FilterInput.fromFlags(texts, kind), defaults),
      kind
    )
    const id = input.downloadRequestId ?? (typeof fileId === "string" ? fileId : undefined)
    const validated = yield* Either.match(Validation.validate<Record<string, unknown>>(kind.filter, filter), {
      onLeft: (error) => Effect.fail(CommaLists.explain(error, CommaLists.splitFlags(texts, kind))),
      onRight: Effect.succeed
    })
    return { filter: validated, downloadRequestId: id }
  })
