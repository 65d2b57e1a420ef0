/**
 * The simulated sell-out export (`POST /warranty/{brand}/export`): synthetic sale lines (sales and
 * returns) with their warranty extension status, the filter semantics applied to them, and the
 * file's CSV lines. Four sale lines in five belong to a sandbox customer — same brand and POS, their
 * `boosterCustomerId` and their sales representative — so a sell-out file links to the customer
 * file, as the real one presumably does; it is personal data.
 *
 * Filter semantics (every given field must hold):
 * - `brand`; `posCodes`, `articleCodes`, `saleRepresentativeEmails` any of (a line matches when any
 *   of its representatives is listed), compared case-insensitively.
 * - `dateFrom` / `dateTo`: the document date, inclusive.
 * - `selloutType`: `sellout` selects sales (positive quantity), `return` returns (negative).
 * - `type`: `standard` or `consigned` items.
 * - `warrantyExtensionStatusIds` any of (1 activated … 6 pending).
 * - `productCategories`: every id given in an item must hold on the article's category.
 *
 * @since 0.1.0
 */
import { ExportFilter } from "@booster-export/core"
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
  pointsOfSale,
  posByCode
} from "./internal/catalog.js"
import { hash2, Prng } from "./internal/prng.js"

/**
 * One sale line.
 *
 * @since 0.1.0
 */
export interface SellOut {
  /** `6_000_001 + ⌊index / 2⌋`: two lines per sale. */
  readonly saleId: number
  /** `7_000_001 + index`: unique. */
  readonly saleDetailId: number
  /** The sandbox customer who bought, or `undefined` for an anonymous sale. */
  readonly boosterCustomerId: number | undefined
  readonly brand: string
  readonly posCode: string
  readonly documentNumber: string
  /** `YYYY-MM-DD`, 2022-01-01 .. 2025-06-30. */
  readonly documentDate: string
  readonly documentLineNumber: number
  readonly articleCode: string
  readonly productCategory: Customers.ProductCategory
  readonly serialNumber: string
  /** 1 for a sale, -1 for a return. */
  readonly quantity: number
  readonly retailPrice: number
  readonly unitPrice: number
  readonly currencyCode: string
  /** 1..6, see `ExportFilter.WARRANTY_EXTENSION_STATUSES`. */
  readonly warrantyExtensionStatusId: number
  /** Lower case; one or two. */
  readonly saleRepresentativeEmails: ReadonlyArray<string>
  readonly type: "standard" | "consigned"
  readonly selloutType: "sellout" | "return"
}

const SALT = 0x5e11
const FIRST_DAY = "2022-01-01"
const DAYS = daysBetween(FIRST_DAY, "2025-06-30") + 1
const STATUS_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5, 6]

/**
 * Sale line number `index` of the data set generated from `seed`. `customers` is the number of
 * sandbox customers (generated with the same `seed` and `brandList`) the line may belong to; with
 * 0, every sale is anonymous. Pure.
 *
 * @since 0.1.0
 */
export const generate = (
  seed: number,
  index: number,
  customers: number,
  brandList: ReadonlyArray<string> = Customers.brands
): SellOut => {
  const rng = new Prng(hash2(kindSeed(seed, SALT), index))
  const customer =
    customers > 0 && rng.chance(0.8) ? Customers.generate(seed, rng.int(customers), brandList) : undefined
  const brand = customer?.brand ?? rng.pick(brandList)
  const pos = (customer !== undefined ? posByCode.get(customer.posCode) : undefined) ?? rng.pick(pointsOfSale)
  const article = rng.pick(articles)
  const isReturn = rng.chance(0.1)
  const rep =
    customer?.saleRepresentativeEmail ?? `rep${rng.between(1, 8)}.${brand.toLowerCase()}@maison.example`
  const second = rng.chance(0.15) ? [`rep${rng.between(1, 8)}.${brand.toLowerCase()}@maison.example`] : []
  const discount = rng.chance(0.3) ? rng.between(5, 15) : 0
  return {
    saleId: 6_000_001 + Math.floor(index / 2),
    saleDetailId: 7_000_001 + index,
    boosterCustomerId: customer?.boosterCustomerId,
    brand,
    posCode: pos.posCode,
    documentNumber: `${pos.posCode}-${String(100_000 + Math.floor(index / 2)).padStart(6, "0")}`,
    documentDate: dayAfter(FIRST_DAY, rng.int(DAYS)),
    documentLineNumber: (index % 2) + 1,
    articleCode: article.articleCode,
    productCategory: categoryOf(article, brand),
    serialNumber: `SN${String(30_000_000 + ((index * 15_485_863 + seed) % 70_000_000)).padStart(8, "0")}`,
    quantity: isReturn ? -1 : 1,
    retailPrice: article.retailPrice,
    unitPrice: Math.round(article.retailPrice * (100 - discount)) / 100,
    currencyCode: pos.currencyCode,
    warrantyExtensionStatusId: rng.pick(STATUS_WEIGHTS),
    saleRepresentativeEmails: [...new Set([rep, ...second])],
    type: rng.chance(0.2) ? "consigned" : "standard",
    selloutType: isReturn ? "return" : "sellout"
  }
}

/**
 * The file's layout: its columns in order, the header line and the line of a sale line.
 *
 * @since 0.1.0
 */
export const csv: Csv.Layout<SellOut> = Csv.layout<SellOut>([
  ["saleId", (s) => String(s.saleId)],
  ["saleDetailId", (s) => String(s.saleDetailId)],
  ["boosterCustomerId", (s) => (s.boosterCustomerId === undefined ? "" : String(s.boosterCustomerId))],
  ["brand", (s) => s.brand],
  ["posCode", (s) => s.posCode],
  ["documentNumber", (s) => s.documentNumber],
  ["documentDate", (s) => s.documentDate],
  ["documentLineNumber", (s) => String(s.documentLineNumber)],
  ["articleCode", (s) => s.articleCode],
  ["productCategory", (s) => s.productCategory.subCategoryId],
  ["serialNumber", (s) => s.serialNumber],
  ["quantity", (s) => String(s.quantity)],
  ["retailPrice", (s) => s.retailPrice.toFixed(2)],
  ["unitPrice", (s) => s.unitPrice.toFixed(2)],
  ["currencyCode", (s) => s.currencyCode],
  ["warrantyExtensionStatusId", (s) => String(s.warrantyExtensionStatusId)],
  [
    "warrantyExtensionStatusDescription",
    (s) => ExportFilter.WARRANTY_EXTENSION_STATUSES[s.warrantyExtensionStatusId] ?? ""
  ],
  ["saleRepresentativeEmails", (s) => s.saleRepresentativeEmails.join("; ")],
  ["type", (s) => s.type],
  ["selloutType", (s) => s.selloutType]
])

/**
 * Compiles a validated sell-out filter into a predicate.
 *
 * @since 0.1.0
 */
export const compile = (filter: ExportFilter.SellOutFilter): ((s: SellOut) => boolean) => {
  const common = commonTest<SellOut>(filter, (s) => s.documentDate)
  const article = anyOf(filter.articleCodes)
  const rep = anyOf(filter.saleRepresentativeEmails)
  const statuses =
    filter.warrantyExtensionStatusIds === undefined ? undefined : new Set(filter.warrantyExtensionStatusIds)
  const { selloutType, type } = filter
  return (s) =>
    common(s) &&
    (article === undefined || article(s.articleCode)) &&
    (rep === undefined || s.saleRepresentativeEmails.some(rep)) &&
    (statuses === undefined || statuses.has(s.warrantyExtensionStatusId)) &&
    (selloutType === undefined || s.selloutType === selloutType) &&
    (type === undefined || s.type === type)
}
