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
  categoryOf,
  commonTest,
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
 * The file's layout: its columns in order, the header line and the line of an invoice line.
 *
 * @since 0.1.0
 */
export const csv: Csv.Layout<Invoice> = Csv.layout<Invoice>([
  ["invoiceNumber", (i) => i.invoiceNumber],
  ["lineNumber", (i) => String(i.lineNumber)],
  ["invoiceDate", (i) => i.invoiceDate],
  ["brand", (i) => i.brand],
  ["posCode", (i) => i.posCode],
  ["articleCode", (i) => i.articleCode],
  ["productCategory", (i) => i.productCategory.subCategoryId],
  ["quantity", (i) => String(i.quantity)],
  ["netAmount", (i) => i.netAmount.toFixed(2)],
  ["currencyCode", (i) => i.currencyCode],
  ["reasonCode", (i) => i.reasonCode],
  ["customerReference", (i) => i.customerReference]
])

/**
 * Compiles a validated invoice filter into a predicate.
 *
 * @since 0.1.0
 */
export const compile = (filter: ExportFilter.InvoiceFilter): ((i: Invoice) => boolean) => {
  const common = commonTest<Invoice>(filter, (i) => i.invoiceDate)
  const reason = anyOf(filter.reasonCodes)
  return (i) => common(i) && (reason === undefined || reason(i.reasonCode))
}
