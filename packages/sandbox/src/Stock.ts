/**
 * The simulated stock export (`POST /stock/{brand}/export`): synthetic stock positions — one per
 * index, each an article held at a point of sale — the filter semantics applied to them, and the
 * file's CSV lines. Stock rows hold no personal data.
 *
 * Filter semantics (every given field must hold):
 * - `brand`; `posCodes` any of (without them, every POS the key may use); `articleCodes`,
 *   `clusterIds` any of; all compared case-insensitively.
 * - `dateFrom` / `dateTo`: the date the item entered stock, inclusive.
 * - `type`: `standard` or `consigned` items; both when omitted.
 * - Consigned items at a POS not authorised for consignment (every `…300` POS) are left out unless
 *   `includeConsignmentNotAuthorizedPOS` is true.
 * - `productCategories`: as for customers, every id given in an item must hold on the article's
 *   category.
 * - `includeRSP` fills the `retailSalesPrice` column and `includeExtraInfo` the `posName`,
 *   `loadedOnDate` and `isConsignmentSellable` columns (what the API's extra information is, is not
 *   documented: this is the sandbox's choice); otherwise they are empty. The columns are always
 *   there.
 *
 * @since 0.1.0
 */
import type { ExportFilter } from "@booster-export/core"
import * as Csv from "./Csv.js"
import * as Customers from "./Customers.js"
import {
  anyOf,
  articles,
  categoryOf,
  commonTest,
  dayAfter,
  daysBetween,
  kindSeed,
  pointsOfSale
} from "./internal/catalog.js"
import { hash2, Prng } from "./internal/prng.js"

/**
 * One stock position.
 *
 * @since 0.1.0
 */
export interface StockItem {
  readonly brand: string
  readonly posCode: string
  readonly posName: string
  readonly clusterId: string
  /** False at the POS that may not hold consignment stock (every `…300` POS). */
  readonly consignmentAuthorizedPos: boolean
  readonly articleCode: string
  readonly productCategory: Customers.ProductCategory
  /** `SN` and eight digits, unique within a data set. */
  readonly serialNumber: string
  readonly quantity: number
  /** When the item entered stock, `YYYY-MM-DD`, 2019-01-01 .. 2025-06-30. */
  readonly stockDate: string
  /** When the item was loaded into the system, on or after `stockDate`. */
  readonly loadedOnDate: string
  readonly type: "standard" | "consigned"
  readonly isConsignmentSellable: boolean
  readonly retailSalesPrice: number
  readonly currencyCode: string
}

const SALT = 0x5700c
const FIRST_DAY = "2019-01-01"
const DAYS = daysBetween(FIRST_DAY, "2025-06-30") + 1

/**
 * Stock position number `index` of the data set generated from `seed`, its brand drawn from
 * `brandList` (default `Customers.brands`). Pure.
 *
 * @since 0.1.0
 */
export const generate = (
  seed: number,
  index: number,
  brandList: ReadonlyArray<string> = Customers.brands
): StockItem => {
  const rng = new Prng(hash2(kindSeed(seed, SALT), index))
  const brand = rng.pick(brandList)
  const pos = rng.pick(pointsOfSale)
  const article = rng.pick(articles)
  const day = rng.int(DAYS)
  const type = rng.chance(0.25) ? "consigned" : "standard"
  return {
    brand,
    posCode: pos.posCode,
    posName: pos.posName,
    clusterId: pos.clusterId,
    consignmentAuthorizedPos: pos.consignmentAuthorized,
    articleCode: article.articleCode,
    productCategory: categoryOf(article, brand),
    serialNumber: `SN${String(10_000_000 + ((index * 7_919 + seed) % 90_000_000)).padStart(8, "0")}`,
    quantity: article.category.grandCategoryId === "ACC" ? rng.between(1, 5) : 1,
    stockDate: dayAfter(FIRST_DAY, day),
    loadedOnDate: dayAfter(FIRST_DAY, day + rng.int(4)),
    type,
    isConsignmentSellable: type === "consigned" && pos.consignmentAuthorized && rng.chance(0.8),
    retailSalesPrice: article.retailPrice,
    currencyCode: pos.currencyCode
  }
}

/**
 * What a stock filter asks the file to include.
 *
 * @since 0.1.0
 */
export interface RowOptions {
  readonly includeRSP?: boolean | undefined
  readonly includeExtraInfo?: boolean | undefined
}

/**
 * The file's layout: its columns in order, the header line and the line of a stock position (`retailSalesPrice` filled with `includeRSP`, the last three columns with `includeExtraInfo`).
 *
 * @since 0.1.0
 */
export const csv: Csv.Layout<StockItem, RowOptions> = Csv.layout<StockItem, RowOptions>([
  ["brand", (s) => s.brand],
  ["posCode", (s) => s.posCode],
  ["clusterId", (s) => s.clusterId],
  ["articleCode", (s) => s.articleCode],
  ["serialNumber", (s) => s.serialNumber],
  ["quantity", (s) => String(s.quantity)],
  ["stockDate", (s) => s.stockDate],
  ["type", (s) => s.type],
  ["productCategory", (s) => s.productCategory.subCategoryId],
  ["retailSalesPrice", (s, o) => (o?.includeRSP === true ? s.retailSalesPrice.toFixed(2) : "")],
  ["currencyCode", (s) => s.currencyCode],
  ["posName", (s, o) => (o?.includeExtraInfo === true ? s.posName : "")],
  ["loadedOnDate", (s, o) => (o?.includeExtraInfo === true ? s.loadedOnDate : "")],
  ["isConsignmentSellable", (s, o) => (o?.includeExtraInfo === true ? String(s.isConsignmentSellable) : "")]
])

/**
 * Compiles a validated stock filter into a predicate. `allowedPos` (upper case) restricts a filter
 * without POS codes to the POS an API key may use.
 *
 * @since 0.1.0
 */
export const compile = (
  filter: ExportFilter.StockFilter,
  allowedPos?: ReadonlySet<string>
): ((item: StockItem) => boolean) => {
  const common = commonTest<StockItem>(filter, (item) => item.stockDate, allowedPos)
  const article = anyOf(filter.articleCodes)
  const cluster = anyOf(filter.clusterIds)
  const { type } = filter
  const withUnauthorized = filter.includeConsignmentNotAuthorizedPOS === true
  return (item) =>
    common(item) &&
    (article === undefined || article(item.articleCode)) &&
    (cluster === undefined || cluster(item.clusterId)) &&
    (type === undefined || item.type === type) &&
    (withUnauthorized || item.type !== "consigned" || item.consignmentAuthorizedPos)
}
