/**
 * A counts-only summary of a customer export file with exact counts: total rows and, per dimension
 * (country, status, contact consent, creation year, birth month, spending band, point of sale,
 * interest, hobby, product collection), the groups of at least a minimum size. Groups smaller than
 * the minimum are withheld, and when a dimension would have exactly one withheld group the
 * next-smallest is withheld too, so that no withheld count follows from the total; a value that
 * looks personal is never shown.
 *
 * Two steps: `SummaryScanner` reads the file's bytes into exact counts, {@link release} decides
 * what of them may be shown. {@link summarize} does both over a stream of chunks.
 *
 * Exact counts suit a reader who may see the file itself. Two exact summaries of exports that differ
 * by one customer subtract to her values, so what an assistant or anyone else without access to the
 * file is shown is `PrivateSummary`'s release: noisy counts, differentially private.
 *
 * ```ts
 * const { minimumGroupSize } = Summary.effectiveMinimum(asked)
 * const summary = await Summary.summarize(chunks, { minimumGroupSize })
 * // { rows: 825, minimumGroupSize: 10, dimensions: [{ name: "country", groups: [{ value: "it", count: 421 }, …], suppressedGroups: 0 }, …], missingColumns: [] }
 * ```
 *
 * @since 0.1.0
 */
import * as SummaryScanner from "./SummaryScanner.js"

/**
 * The smallest group size ever shown.
 *
 * @since 0.1.0
 */
export const MINIMUM_GROUP_SIZE_FLOOR = 5

/**
 * The minimum group size when none is asked for.
 *
 * @since 0.1.0
 */
export const DEFAULT_MINIMUM_GROUP_SIZE = 10

/**
 * The shown counts of one dimension.
 *
 * @since 0.1.0
 */
export interface DimensionSummary {
  readonly name: string
  readonly column: string
  readonly label: string
  /** True for interests, hobbies and collections: a customer may be in several groups. */
  readonly multiValued: boolean
  /** Groups of at least the minimum size, largest first. */
  readonly groups: ReadonlyArray<SummaryScanner.Group>
  /** How many groups were withheld (too small, or withheld so that a small one cannot be derived). */
  readonly suppressedGroups: number
}

/**
 * The summary of a file.
 *
 * @since 0.1.0
 */
export interface Summary {
  /** Data rows (the header excluded). */
  readonly rows: number
  /** The minimum group size applied. */
  readonly minimumGroupSize: number
  readonly dimensions: ReadonlyArray<DimensionSummary>
  /** Dimensions whose column is not in the file. */
  readonly missingColumns: ReadonlyArray<string>
}

/**
 * The minimum group size to apply for a requested one (default
 * {@link DEFAULT_MINIMUM_GROUP_SIZE}), and whether it was raised to {@link MINIMUM_GROUP_SIZE_FLOOR}.
 *
 * @since 0.1.0
 */
export const effectiveMinimum = (
  requested: number | undefined
): { readonly minimumGroupSize: number; readonly raised: boolean } => {
  const asked = requested ?? DEFAULT_MINIMUM_GROUP_SIZE
  return asked < MINIMUM_GROUP_SIZE_FLOOR
    ? { minimumGroupSize: MINIMUM_GROUP_SIZE_FLOOR, raised: true }
    : { minimumGroupSize: asked, raised: false }
}

/**
 * The groups of one dimension that may be shown, largest first: every group of at least `minimum`,
 * except that when exactly one group would be withheld the smallest shown one is withheld too. A
 * value for which `looksPersonal` is true is never shown. `overflow` (values past
 * `SummaryScanner.MAX_DISTINCT_VALUES`) counts as one more withheld group when above 0.
 *
 * @since 0.1.0
 */
export const suppress = (
  groups: ReadonlyArray<SummaryScanner.Group>,
  minimum: number,
  options: { readonly overflow?: number; readonly looksPersonal?: (value: string) => boolean } = {}
): { readonly groups: ReadonlyArray<SummaryScanner.Group>; readonly suppressedGroups: number } => {
  const present = groups.filter((group) => group.count > 0)
  const sorted = [...present].sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
  const shown = sorted.filter(
    (group) => group.count >= minimum && options.looksPersonal?.(group.value) !== true
  )
  let withheld = present.length - shown.length + ((options.overflow ?? 0) > 0 ? 1 : 0)
  if (withheld === 1 && shown.length > 0) {
    shown.pop()
    withheld++
  }
  return { groups: shown, suppressedGroups: withheld }
}

/**
 * Options of {@link release} and {@link summarize}.
 *
 * @since 0.1.0
 */
export interface ReleaseOptions {
  /** Groups smaller than this are withheld; see {@link effectiveMinimum}. */
  readonly minimumGroupSize: number
  /** True for a value that must never be shown (e.g. it looks like an email address or a phone number). */
  readonly looksPersonal?: (value: string) => boolean
}

/**
 * What may be shown of a file's exact counts: {@link suppress} applied to every dimension.
 *
 * @since 0.1.0
 */
export const release = (counts: SummaryScanner.Counts, options: ReleaseOptions): Summary => ({
  rows: counts.rows,
  minimumGroupSize: options.minimumGroupSize,
  dimensions: counts.dimensions.map(({ dimension, groups, overflow }) => {
    const shown = suppress(groups, options.minimumGroupSize, {
      overflow,
      ...(options.looksPersonal !== undefined ? { looksPersonal: options.looksPersonal } : {})
    })
    return {
      name: dimension.name,
      column: dimension.column,
      label: dimension.label,
      multiValued: dimension.grouping === "list",
      groups: shown.groups,
      suppressedGroups: shown.suppressedGroups
    }
  }),
  missingColumns: counts.missingColumns
})

/**
 * Summarises a whole file given as an async iterable of byte chunks (a Node `fs.createReadStream`, a
 * web `ReadableStream` where it is async-iterable): `SummaryScanner.scan`, then {@link release}. Rejects with
 * `SummaryScanner.UnrecognisedFile` when the file is not a recognised export, and with the
 * signal's reason once `signal` aborts.
 *
 * @since 0.1.0
 */
export const summarize = async (
  source: AsyncIterable<Uint8Array>,
  options: ReleaseOptions & SummaryScanner.ScanOptions,
  signal?: AbortSignal
): Promise<Summary> => release(await SummaryScanner.scan(source, options, signal), options)
