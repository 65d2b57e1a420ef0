/**
 * The simulated invoice export (`POST /invoice/{brand}/export`): synthetic invoice lines with reason
 * codes, the filter semantics applied to them, and the file's CSV lines. The API documents no
 * invoice row: these columns are the sandbox's invention. Lines carry a customer reference that
 * sometimes names a person, so the file is treated as personal data.
 *
 * Filter semantics (every given field must hold):
 * - `brand`; `posCodes` and `reasonCodes` any of, compared case-insensitively (reason codes
 *   `Y00` … `Y09` here; their meaning is not documented).
 * - `dateFrom` / `dateTo`: the invoice date, inclusive.
 * - `productCategories`: every id given in an item must hold on the article's category.
 *
 * @since 0.1.0
 */
import type { ExportFilter } from "@booster-export/core"
import * as Csv from "./Csv.js"
import * as Customers from "./Customers.js"
import {
  anyOf,
  articles,
  categoryMatcher,
  categoryOf,
  customerReference,
  dayAfter,
  daysBetween,
  kindSeed,
  pointsOfSale
} from "./internal/catalog.js"
import { hash2, Prng } from "./internal/prng.js"

/**
 * One invoice line.
 *
 * @since 0.1.0
 */
export interface Invoice {
  /** `INV` and eight digits; two lines per invoice. */
  readonly invoiceNumber: string
  readonly lineNumber: number
  /** `YYYY-MM-DD`, 2022-01-01 .. 2025-06-30. */
  readonly invoiceDate: string
  readonly brand: string
  readonly posCode: string
  readonly articleCode: string
  readonly productCategory: Customers.ProductCategory
  readonly quantity: number
  readonly netAmount: number
  readonly currencyCode: string
  /** `Y00` … `Y09`, `Y00` most often. */
  readonly reasonCode: string
  /** A reference such as `CR-123456`, or words that may name a person. */
  readonly customerReference: string
}

const SALT = 0x1a01ce
const FIRST_DAY = "2022-01-01"
const DAYS = daysBetween(FIRST_DAY, "2025-06-30") + 1

/**
 * The reason codes the sandbox uses, `Y00` the most frequent.
 *
 * @since 0.1.0
 */
export const reasonCodes: ReadonlyArray<string> = Array.from({ length: 10 }, (_, i) => `Y0${i}`)

/**
 * Invoice line number `index` of the data set generated from `seed`. Pure.
 *
 * @since 0.1.0
 */
export const generate = (
  seed: number,
  index: number,
  brandList: ReadonlyArray<string> = Customers.brands
): Invoice => {
  const rng = new Prng(hash2(kindSeed(seed, SALT), index))
  const brand = rng.pick(brandList)
  const pos = rng.pick(pointsOfSale)
  const article = rng.pick(articles)
  const quantity = rng.between(1, 4)
  return {
    invoiceNumber: `INV${String(10_000_000 + Math.floor(index / 2))}`,
    lineNumber: (index % 2) + 1,
    invoiceDate: dayAfter(FIRST_DAY, rng.int(DAYS)),
    brand,
    posCode: pos.posCode,
    articleCode: article.articleCode,
    productCategory: categoryOf(article, brand),
    quantity,
    netAmount: Math.round(article.retailPrice * quantity * 55) / 100,
    currencyCode: pos.currencyCode,
    reasonCode: rng.chance(0.5) ? "Y00" : rng.pick(reasonCodes),
    customerReference: customerReference(rng)
  }
}

/**
 * The column names, in order.
 *
 * @since 0.1.0
 */
export const columns: ReadonlyArray<string> = [
  "invoiceNumber",
  "lineNumber",
  "invoiceDate",
  "brand",
  "posCode",
  "articleCode",
  "productCategory",
  "quantity",
  "netAmount",
  "currencyCode",
  "reasonCode",
  "customerReference"
]

/**
 * The header line, CRLF included.
 *
 * @since 0.1.0
 */
export const header: string = Csv.line(columns)

/**
 * The line of one invoice line, CRLF included.
 *
 * @since 0.1.0
 */
export const row = (i: Invoice): string =>
  Csv.line([
    i.invoiceNumber,
    String(i.lineNumber),
    i.invoiceDate,
    i.brand,
    i.posCode,
    i.articleCode,
    i.productCategory.subCategoryId,
    String(i.quantity),
    i.netAmount.toFixed(2),
    i.currencyCode,
    i.reasonCode,
    i.customerReference
  ])

/**
 * Compiles a validated invoice filter into a predicate.
 *
 * @since 0.1.0
 */
export const compile = (filter: ExportFilter.InvoiceFilter): ((i: Invoice) => boolean) => {
  const brand = filter.brand.toUpperCase()
  const pos = anyOf(filter.posCodes)!
  const reason = anyOf(filter.reasonCodes)
  const category = categoryMatcher(filter.productCategories)
  const { dateFrom, dateTo } = filter
  return (i) =>
    i.brand === brand &&
    pos(i.posCode) &&
    (reason === undefined || reason(i.reasonCode)) &&
    (category === undefined || category(i.productCategory)) &&
    (dateFrom === undefined || i.invoiceDate >= dateFrom) &&
    (dateTo === undefined || i.invoiceDate <= dateTo)
}
