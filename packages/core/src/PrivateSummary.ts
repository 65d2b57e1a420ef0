/**
 * A differentially private release of a customer export's counts: what an assistant may be shown of
 * `SummaryScanner`'s exact counts, so that no answer, and no set of answers within a privacy budget,
 * tells whether any one customer is in the file or what her values are. Two summaries of exports
 * that differ by one customer subtract to noise, not to her.
 *
 * The mechanism, for a privacy parameter `ε` per summary:
 *
 * - **Bounded contribution.** A customer (a row) adds 1 to the total, 1 to one group of each
 *   single-valued dimension (country, status, consent, creation year, birth month, spending band,
 *   point of sale — counted within its country when both are released) and at most `k` to the groups
 *   of each list dimension (interests, hobbies, product collections: `k` is the scan's
 *   `maxValuesPerRow`). The L1 sensitivity of the whole release is
 *   `Δ = 1 + (single-valued dimensions released) + k · (list dimensions released)` ({@link sensitivity}).
 * - **Noise.** Every count released — the total and every group — gets its own draw of the discrete
 *   Laplace distribution of scale `Δ/ε` (`DiscreteLaplace`, exact, from cryptographic randomness):
 *   the Laplace mechanism, ε-differentially private for the counts of groups present in both of two
 *   neighbouring files.
 * - **Groups of open value sets.** A value seen in one customer only (a rare country, interest, year)
 *   would show by its mere presence. Groups of dimensions whose values are not a fixed list (all but
 *   birth month and spending band) are shown only when their noisy count reaches a threshold `τ`
 *   chosen so that a group created by one customer (count ≤ 1, or ≤ k for a list) clears it with
 *   probability at most `δ` in all, `δ = ε · 10⁻⁸` ({@link DELTA_PER_EPSILON}); see {@link thresholds}.
 *   Each summary is therefore (ε, δ)-differentially private, the unit of privacy one customer row.
 * - **Suppression on top, on noisy counts only.** A group is shown when its noisy count is at least
 *   the minimum group size (and `τ`); no value that looks personal is shown. Complementary rule, for
 *   every parent and its shown children — the total and each single-valued dimension's groups, each
 *   shown country and its shown points of sale: when the parent minus its shown children would be
 *   between 1 and the minimum group size minus 1 (as if one small group were withheld), the smallest
 *   shown child is withheld too, until it is not. The points of sale of a country that is withheld
 *   are withheld. Each decision reads noisy counts only, so it costs no privacy.
 * - **Stated accuracy.** Every count comes with its 95 % interval, `count ± margin`, computed from
 *   the noise distribution (`DiscreteLaplace.margin`). For a group shown because it cleared a
 *   threshold, the true count is more likely below than above its noisy one.
 *
 * Asking again draws fresh noise: averaging answers is what the privacy budget (`PrivacyBudget` of
 * `@booster-export/journal`) stops, by charging `ε` for every summary.
 *
 * ```ts
 * const counts = await SummaryScanner.scan(chunks, { maxValuesPerRow: PrivateSummary.DEFAULT_MAX_LIST_VALUES })
 * const summary = PrivateSummary.release(counts, { epsilon: 1, minimumGroupSize: 10 })
 * // { rows: 6012, rowsLow: 5961, rowsHigh: 6063, margin: 51, epsilon: 1, delta: 1e-8, dimensions: [{ name: "country", groups: [{ value: "it", count: 3980, low: 3929, high: 4031 }], shownAtLeast: 352, … }, …] }
 * ```
 *
 * @since 0.1.0
 */
import * as DiscreteLaplace from "./DiscreteLaplace.js"
import * as SummaryScanner from "./SummaryScanner.js"

/**
 * The privacy parameter of one summary when none is configured.
 *
 * @since 0.1.0
 */
export const DEFAULT_EPSILON = 1

/**
 * The privacy parameter a day (any 24 hours) allows in all when none is configured: three summaries
 * at the default {@link DEFAULT_EPSILON}.
 *
 * @since 0.1.0
 */
export const DEFAULT_EPSILON_PER_DAY = 3

/**
 * The `δ` of a summary per unit of its `ε`: a summary at `ε` is (ε, ε · 10⁻⁸)-differentially private,
 * so a day's budget of `ε_day` bounds the day's `δ` by `ε_day · 10⁻⁸` too.
 *
 * @since 0.1.0
 */
export const DELTA_PER_EPSILON = 1e-8

/**
 * How many values of a list dimension (interests, hobbies, product collections) count per customer
 * when none is configured: the first three of the cell.
 *
 * @since 0.1.0
 */
export const DEFAULT_MAX_LIST_VALUES = 3

/**
 * The probability the stated intervals hold the true count with.
 *
 * @since 0.1.0
 */
export const CONFIDENCE = 0.95

/**
 * Decimals an `ε` may have: it is used as an exact fraction of 10⁶.
 *
 * @since 0.1.0
 */
export const EPSILON_DECIMALS = 6

/**
 * The exact fraction an `ε` stands for: `numerator / 10⁶`, reduced.
 *
 * @throws RangeError unless `epsilon` is more than 0, at most 1,000 and has at most
 * {@link EPSILON_DECIMALS} decimals.
 * @since 0.1.0
 */
export const epsilonFraction = (
  epsilon: number
): { readonly numerator: number; readonly denominator: number } => {
  const numerator = Math.round(epsilon * 10 ** EPSILON_DECIMALS)
  if (
    !(Number.isFinite(epsilon) && epsilon > 0 && epsilon <= 1_000) ||
    Math.abs(numerator / 10 ** EPSILON_DECIMALS - epsilon) > 1e-12
  ) {
    throw new RangeError(
      `ε must be a number more than 0 and at most 1000, with at most ${EPSILON_DECIMALS} decimals`
    )
  }
  const reduced = DiscreteLaplace.scale(numerator, 10 ** EPSILON_DECIMALS)
  return reduced
}

/**
 * True for a dimension whose groups are a fixed list known before reading the file (birth months
 * and spending bands, with their empty and unreadable groups): their groups need no threshold.
 *
 * @since 0.1.0
 */
export const isFixed = (dimension: SummaryScanner.Dimension): boolean =>
  dimension.grouping === "month" || dimension.grouping === "spending"

/**
 * What one customer can change in a release of `dimensions` when at most `maxValuesPerRow` values of
 * a list dimension count per customer: 1 for the total, 1 per single-valued dimension, and
 * `maxValuesPerRow` per list dimension (the L1 sensitivity).
 *
 * @throws RangeError when a list dimension is released and `maxValuesPerRow` is not a whole number ≥ 1.
 * @since 0.1.0
 */
export const sensitivity = (
  dimensions: ReadonlyArray<SummaryScanner.Dimension>,
  maxValuesPerRow: number
): number => {
  const lists = dimensions.filter((dimension) => dimension.grouping === "list").length
  if (lists > 0 && !(Number.isInteger(maxValuesPerRow) && maxValuesPerRow >= 1)) {
    throw new RangeError(
      "a private summary of interests, hobbies or collections needs the values a customer counts in bounded (maxValuesPerRow)"
    )
  }
  return 1 + (dimensions.length - lists) + lists * (lists > 0 ? maxValuesPerRow : 0)
}

/**
 * The threshold a group of each open dimension (not {@link isFixed}) must reach to be shown, so that
 * the groups one customer can create (one per single-valued dimension, up to `maxValuesPerRow` per list
 * dimension, each of count at most `maxValuesPerRow`) are shown with probability at most `delta` in all:
 * with noise of scale `b` (`q = exp(-1/b)`) and `δ` shared equally by the `n` open dimensions, a
 * dimension where a customer adds up to `c` values gets `τ = c + ⌈b · ln(c · n / (δ · (1 + q)))⌉`,
 * since `c · P(c + noise ≥ τ) = c · q^(τ-c) / (1 + q) ≤ δ / n`.
 *
 * @since 0.1.0
 */
export const thresholds = (
  dimensions: ReadonlyArray<SummaryScanner.Dimension>,
  options: { readonly scale: number; readonly delta: number; readonly maxValuesPerRow: number }
): ReadonlyMap<string, number> => {
  const open = dimensions.filter((dimension) => !isFixed(dimension))
  const q = Math.exp(-1 / options.scale)
  return new Map(
    open.map((dimension) => {
      const c = dimension.grouping === "list" ? options.maxValuesPerRow : 1
      const tau = c + Math.ceil(options.scale * Math.log((c * open.length) / (options.delta * (1 + q))))
      return [dimension.name, tau]
    })
  )
}

/**
 * A noisy count and its 95 % interval (`low` is never below 0).
 *
 * @since 0.1.0
 */
export interface Estimate {
  readonly count: number
  readonly low: number
  readonly high: number
}

/**
 * A group shown: its value, and for a point of sale the country it is `within`.
 *
 * @since 0.1.0
 */
export interface Group extends Estimate {
  readonly value: string
  readonly within?: string
}

/**
 * The shown groups of one dimension.
 *
 * @since 0.1.0
 */
export interface DimensionRelease {
  readonly name: string
  readonly column: string
  readonly label: string
  /** True for interests, hobbies and collections: a customer counts in up to `maxValuesPerRow` groups. */
  readonly multiValued: boolean
  /** Groups shown, largest noisy count first. */
  readonly groups: ReadonlyArray<Group>
  /** A group is shown only when its noisy count is at least this (and no rule withholds it). */
  readonly shownAtLeast: number
  /** True when the column holds more distinct values than are counted: nothing of it is shown. */
  readonly tooManyValues: boolean
}

/**
 * A private summary.
 *
 * @since 0.1.0
 */
export interface PrivateSummary {
  /** Customers (data rows), noisy, and its 95 % interval. */
  readonly rows: number
  readonly rowsLow: number
  readonly rowsHigh: number
  /** The privacy parameters of this summary: (ε, δ)-differential privacy, per customer row. */
  readonly epsilon: number
  readonly delta: number
  /** The L1 sensitivity of the release ({@link sensitivity}). */
  readonly sensitivity: number
  /** The scale of the noise of every count: `sensitivity / epsilon`. */
  readonly noiseScale: number
  /** Every count is within `± margin` of the true one with probability {@link CONFIDENCE}. */
  readonly margin: number
  readonly confidence: number
  /** The minimum group size applied. */
  readonly minimumGroupSize: number
  /** At most this many values of a list dimension count per customer. */
  readonly maxValuesPerRow: number
  readonly dimensions: ReadonlyArray<DimensionRelease>
  /** Dimensions whose column is not in the file. */
  readonly missingColumns: ReadonlyArray<string>
}

/**
 * Options of {@link release}.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The privacy parameter of this summary ({@link epsilonFraction}). */
  readonly epsilon: number
  /** Groups whose noisy count is below this are withheld (see `Summary.effectiveMinimum`). */
  readonly minimumGroupSize: number
  /** The dimensions to release, by name; default every dimension of the file. Fewer dimensions, less noise. */
  readonly dimensions?: ReadonlyArray<string>
  /** True for a value that must never be shown (e.g. it looks like an email address or a phone number). */
  readonly looksPersonal?: (value: string) => boolean
  /** Where the noise's randomness comes from; default `DiscreteLaplace.secureRandom()`. */
  readonly random?: DiscreteLaplace.Random
}

interface Candidate {
  readonly value: string
  readonly within?: string
  readonly count: number
}

const bySize = (a: Candidate, b: Candidate): number =>
  b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)

/**
 * Withholds the smallest shown children while `parent - Σ shown` is from 1 to `minimum - 1`; true when
 * it withheld any. `shown` is sorted largest first.
 */
const balance = (parent: number, shown: Array<Candidate>, minimum: number): boolean => {
  let rest = parent - shown.reduce((sum, child) => sum + child.count, 0)
  let changed = false
  while (rest >= 1 && rest < minimum && shown.length > 0) {
    rest += shown.pop()!.count
    changed = true
  }
  return changed
}

/**
 * The private release of `counts` (see the module's description): noisy counts with their 95 %
 * intervals, the groups that clear the minimum group size and the thresholds, and the complementary
 * rule applied to the noisy counts.
 *
 * @throws RangeError for an `epsilon` {@link epsilonFraction} refuses, an unknown dimension name, or
 * a list dimension released from counts whose `maxValuesPerRow` is unbounded.
 * @since 0.1.0
 */
export const release = (counts: SummaryScanner.Counts, options: Options): PrivateSummary => {
  const fraction = epsilonFraction(options.epsilon)
  const epsilon = fraction.numerator / fraction.denominator
  for (const name of options.dimensions ?? []) {
    if (!SummaryScanner.DIMENSIONS.some((dimension) => dimension.name === name)) {
      throw new RangeError(
        `the summary's dimensions are ${SummaryScanner.DIMENSIONS.map((dimension) => dimension.name).join(", ")}`
      )
    }
  }
  const chosen = counts.dimensions.filter(
    (counted) => options.dimensions === undefined || options.dimensions.includes(counted.dimension.name)
  )
  const k = counts.maxValuesPerRow
  const delta = epsilon * DELTA_PER_EPSILON
  const l1 = sensitivity(
    chosen.map((counted) => counted.dimension),
    k
  )
  const noiseScale = l1 / epsilon
  // P(x) ∝ exp(-|x|·ε/Δ): the scale Δ/ε as the fraction Δ·denominator / numerator
  const scale = DiscreteLaplace.scale(l1 * fraction.denominator, fraction.numerator)
  const random = options.random ?? DiscreteLaplace.secureRandom()
  const noisy = (count: number): number => count + DiscreteLaplace.sample(scale, random)
  const margin = DiscreteLaplace.margin(noiseScale, CONFIDENCE)
  const minimum = options.minimumGroupSize
  const tau = thresholds(
    chosen.map((counted) => counted.dimension),
    { scale: noiseScale, delta, maxValuesPerRow: Number.isFinite(k) ? k : 1 }
  )
  const personal = (value: string | undefined) =>
    value !== undefined && options.looksPersonal?.(value) === true

  const rows = Math.max(0, noisy(counts.rows))
  const countryReleased = chosen.some((counted) => counted.dimension.name === "country")
  const released = chosen.map((counted) => {
    const { dimension } = counted
    const nested = countryReleased && dimension.within === "country" ? counted.nested : undefined
    const tooManyValues = counted.overflow > 0 || (nested !== undefined && (counted.nestedOverflow ?? 0) > 0)
    const shownAtLeast = Math.max(minimum, tau.get(dimension.name) ?? 0)
    const source: ReadonlyArray<Candidate> = nested ?? counted.groups
    const drawn = source.map((group) => ({ ...group, count: noisy(group.count) }))
    const shown = tooManyValues
      ? []
      : drawn
          .filter((group) => group.count >= shownAtLeast && !personal(group.value) && !personal(group.within))
          .sort(bySize)
    return { counted, shownAtLeast, tooManyValues, nested: nested !== undefined, shown }
  })

  const country = released.find((entry) => entry.counted.dimension.name === "country")
  const nestedEntry = released.find((entry) => entry.nested)
  /** Each shown country and its shown points of sale; the points of sale of a withheld country withheld. */
  const balanceNested = (): boolean => {
    if (country === undefined || nestedEntry === undefined) return false
    const byCountry = new Map<string, Array<Candidate>>()
    for (const child of nestedEntry.shown) {
      const within = child.within ?? ""
      byCountry.set(within, [...(byCountry.get(within) ?? []), child])
    }
    let changed = false
    const kept: Array<Candidate> = []
    for (const [within, children] of byCountry) {
      const parent = country.shown.find((group) => group.value === within)
      if (parent === undefined) {
        changed = true
        continue
      }
      if (balance(parent.count, children, minimum)) changed = true
      kept.push(...children)
    }
    if (changed) nestedEntry.shown = kept.sort(bySize)
    return changed
  }
  for (let changed = true; changed; ) {
    changed = false
    for (const entry of released) {
      if (entry.counted.dimension.grouping !== "list")
        changed = balance(rows, entry.shown, minimum) || changed
    }
    changed = balanceNested() || changed
  }

  const estimate = (count: number): Estimate => ({
    count,
    low: Math.max(0, count - margin),
    high: count + margin
  })
  return {
    rows,
    rowsLow: Math.max(0, rows - margin),
    rowsHigh: rows + margin,
    epsilon,
    delta,
    sensitivity: l1,
    noiseScale,
    margin,
    confidence: CONFIDENCE,
    minimumGroupSize: minimum,
    maxValuesPerRow: k,
    dimensions: released.map(({ counted, shown, shownAtLeast, tooManyValues }) => ({
      name: counted.dimension.name,
      column: counted.dimension.column,
      label: counted.dimension.label,
      multiValued: counted.dimension.grouping === "list",
      groups: shown.map((group) => ({
        value: group.value,
        ...(group.within !== undefined ? { within: group.within } : {}),
        ...estimate(group.count)
      })),
      shownAtLeast,
      tooManyValues
    })),
    missingColumns: counts.missingColumns
  }
}
