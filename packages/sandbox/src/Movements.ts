/**
 * The simulated stock movement export (`POST /stock/{brand}/movement/export`): synthetic movements
 * spread evenly over 2023-01-01 .. 2025-06-30 in index order (movement `i` is never later than
 * movement `i + 1`), the filter semantics applied to them, and the file's CSV lines. Each movement
 * names the staff member who created it (`createdBy`, a synthetic email) and sometimes carries a
 * free-text comment that names a person: treat the file as personal data, as the real one would be.
 *
 * Filter semantics (every given field must hold):
 * - `brand`; `posCodes` and `movementTypeIds` any of (type ids 1..8 here: what the API's ids mean is
 *   not documented).
 * - `searchKey`: a case-insensitive substring of the article code or the serial number.
 * - `dateFrom` / `dateTo`: the movement date, inclusive.
 * - `sortBy`: `DateDESC` (the default) lists the newest movement first, `DateASC` the oldest.
 *
 * @since 0.1.0
 */
import type { ExportFilter } from "@booster-export/core"
import * as Csv from "./Csv.js"
import * as Customers from "./Customers.js"
import { articles, commonTest, dayAfter, daysBetween, kindSeed, pointsOfSale } from "./internal/catalog.js"
import { hash2, Prng } from "./internal/prng.js"

/**
 * One stock movement.
 *
 * @since 0.1.0
 */
export interface Movement {
  /** `5_000_001 + index`: unique. */
  readonly movementId: number
  readonly brand: string
  readonly posCode: string
  readonly posName: string
  /** The staff member who created the movement (synthetic email: staff personal data). */
  readonly createdBy: string
  /** `YYYY-MM-DD`, non-decreasing with the index. */
  readonly movementDate: string
  readonly articleCode: string
  readonly serialNumber: string
  /** Positive into the POS's stock, negative out of it. */
  readonly quantity: number
  /** 1..8. */
  readonly movementTypeId: number
  /** Free text, often empty; may name a person. */
  readonly comments: string
}

const SALT = 0x30e
const FIRST_DAY = "2023-01-01"
const DAYS = daysBetween(FIRST_DAY, "2025-06-30") + 1

/**
 * The movement type ids the sandbox uses (their meaning is not documented by the API).
 *
 * @since 0.1.0
 */
export const movementTypeIds: ReadonlyArray<number> = [1, 2, 3, 4, 5, 6, 7, 8]

const COMMENTS = [
  "Transfer between boutiques",
  "Sent to the service centre",
  "Back from repair",
  "Inventory count correction",
  "Client return, see the file of Mrs Rossi",
  "Checked by Marco B.",
  "Display piece"
]

/**
 * Movement number `index` of a data set of `count` movements generated from `seed`, its brand drawn
 * from `brandList` (default `Customers.brands`). Pure.
 *
 * @since 0.1.0
 */
export const generate = (
  seed: number,
  index: number,
  count: number,
  brandList: ReadonlyArray<string> = Customers.brands
): Movement => {
  const rng = new Prng(hash2(kindSeed(seed, SALT), index))
  const brand = rng.pick(brandList)
  const pos = rng.pick(pointsOfSale)
  const article = rng.pick(articles)
  const quantity = rng.between(1, 3) * (rng.chance(0.5) ? 1 : -1)
  return {
    movementId: 5_000_001 + index,
    brand,
    posCode: pos.posCode,
    posName: pos.posName,
    createdBy: `staff${rng.between(1, 12)}.${brand.toLowerCase()}@maison.example`,
    movementDate: dayAfter(FIRST_DAY, Math.floor((index * DAYS) / Math.max(1, count))),
    articleCode: article.articleCode,
    serialNumber: `SN${String(20_000_000 + ((index * 104_729 + seed) % 80_000_000)).padStart(8, "0")}`,
    quantity,
    movementTypeId: rng.pick(movementTypeIds),
    comments: rng.chance(0.3) ? rng.pick(COMMENTS) : ""
  }
}

/**
 * The file's layout: its columns in order, the header line and the line of a movement.
 *
 * @since 0.1.0
 */
export const csv: Csv.Layout<Movement> = Csv.layout<Movement>([
  ["movementId", (m) => String(m.movementId)],
  ["brand", (m) => m.brand],
  ["posCode", (m) => m.posCode],
  ["posName", (m) => m.posName],
  ["createdBy", (m) => m.createdBy],
  ["movementDate", (m) => m.movementDate],
  ["articleCode", (m) => m.articleCode],
  ["serialNumber", (m) => m.serialNumber],
  ["quantity", (m) => String(m.quantity)],
  ["movementTypeId", (m) => String(m.movementTypeId)],
  ["comments", (m) => m.comments]
])

/**
 * True when the filter lists the newest movement first (`sortBy` omitted or `DateDESC`).
 *
 * @since 0.1.0
 */
export const newestFirst = (filter: ExportFilter.MovementFilter): boolean => filter.sortBy !== "DateASC"

/**
 * Compiles a validated movement filter into a predicate (the order is {@link newestFirst}'s).
 *
 * @since 0.1.0
 */
export const compile = (filter: ExportFilter.MovementFilter): ((m: Movement) => boolean) => {
  const common = commonTest<Movement>(filter, (m) => m.movementDate)
  const types = filter.movementTypeIds === undefined ? undefined : new Set(filter.movementTypeIds)
  const key = filter.searchKey?.toUpperCase()
  return (m) =>
    common(m) &&
    (types === undefined || types.has(m.movementTypeId)) &&
    (key === undefined || m.articleCode.includes(key) || m.serialNumber.includes(key))
}
