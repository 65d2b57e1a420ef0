/**
 * The simulated order export (`POST /purchase/{brand}/export`): synthetic purchase order lines with
 * statuses, the filter semantics applied to them, and the file's CSV lines. The columns follow the
 * API's purchase item rows; each carries a customer reference that sometimes names a person, so the
 * file is treated as personal data.
 *
 * Filter semantics (every given field must hold):
 * - `brand`; `posCodes`, `status` (B, C, D, I, N, P, PS, R, X, Z), `reasonCode` (`Y00` … `Y09`) and
 *   `finalShipTo` any of, compared case-insensitively.
 * - `dateFrom` / `dateTo`: the order date, inclusive.
 * - `productCategories`: every id given in an item must hold on the article's category.
 *
 * @since 0.1.0
 */
import { ExportFilter } from "@booster-export/core"
import * as Csv from "./Csv.js"
import * as Customers from "./Customers.js"
import { reasonCodes } from "./Invoices.js"
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
 * One order line.
 *
 * @since 0.1.0
 */
export interface Order {
  /** `45` and eight digits; three lines per order. */
  readonly erpOrderId: string
  readonly lineNumber: number
  /** `YYYY-MM-DD`, 2023-01-01 .. 2025-06-30. */
  readonly orderDate: string
  readonly brand: string
  readonly posCode: string
  readonly articleCode: string
  readonly productCategory: Customers.ProductCategory
  readonly orderedQuantity: number
  readonly openQuantity: number
  /** One of `ExportFilter.ORDER_STATUSES`' codes. */
  readonly status: keyof typeof ExportFilter.ORDER_STATUSES
  readonly reasonCode: string
  readonly netAmount: number
  readonly currencyCode: string
  readonly customerReference: string
  readonly expectedDeliveryDate: string
  /** The POS the order is finally shipped to: mostly the ordering POS, sometimes another. */
  readonly finalShipTo: string
  readonly orderType: "replenishment" | "client order"
}

const SALT = 0x0bde5
const FIRST_DAY = "2023-01-01"
const DAYS = daysBetween(FIRST_DAY, "2025-06-30") + 1
const STATUSES = Object.keys(ExportFilter.ORDER_STATUSES) as Array<keyof typeof ExportFilter.ORDER_STATUSES>

/**
 * Order line number `index` of the data set generated from `seed`. Pure.
 *
 * @since 0.1.0
 */
export const generate = (
  seed: number,
  index: number,
  brandList: ReadonlyArray<string> = Customers.brands
): Order => {
  const rng = new Prng(hash2(kindSeed(seed, SALT), index))
  const brand = rng.pick(brandList)
  const pos = rng.pick(pointsOfSale)
  const article = rng.pick(articles)
  const day = rng.int(DAYS)
  const ordered = rng.between(1, 3)
  const status = rng.pick(STATUSES)
  const open = status === "P" || status === "Z" ? 0 : status === "PS" ? ordered - 1 : ordered
  const clientOrder = rng.chance(0.3)
  return {
    erpOrderId: `45${String(10_000_000 + Math.floor(index / 3))}`,
    lineNumber: (index % 3) + 1,
    orderDate: dayAfter(FIRST_DAY, day),
    brand,
    posCode: pos.posCode,
    articleCode: article.articleCode,
    productCategory: categoryOf(article, brand),
    orderedQuantity: ordered,
    openQuantity: open,
    status,
    reasonCode: rng.chance(0.6) ? "Y00" : rng.pick(reasonCodes),
    netAmount: Math.round(article.retailPrice * ordered * 50) / 100,
    currencyCode: pos.currencyCode,
    customerReference: clientOrder ? customerReference(rng) : "",
    expectedDeliveryDate: dayAfter(FIRST_DAY, day + rng.between(7, 60)),
    finalShipTo: rng.chance(0.7) ? pos.posCode : rng.pick(pointsOfSale).posCode,
    orderType: clientOrder ? "client order" : "replenishment"
  }
}

/**
 * The file's layout: its columns in order, the header line and the line of an order line.
 *
 * @since 0.1.0
 */
export const csv: Csv.Layout<Order> = Csv.layout<Order>([
  ["erpOrderId", (o) => o.erpOrderId],
  ["lineNumber", (o) => String(o.lineNumber)],
  ["orderDate", (o) => o.orderDate],
  ["brand", (o) => o.brand],
  ["posCode", (o) => o.posCode],
  ["articleCode", (o) => o.articleCode],
  ["productCategory", (o) => o.productCategory.subCategoryId],
  ["orderedQuantity", (o) => String(o.orderedQuantity)],
  ["openQuantity", (o) => String(o.openQuantity)],
  ["status", (o) => o.status],
  ["reasonCode", (o) => o.reasonCode],
  ["netAmount", (o) => o.netAmount.toFixed(2)],
  ["currencyCode", (o) => o.currencyCode],
  ["customerReference", (o) => o.customerReference],
  ["expectedDeliveryDate", (o) => o.expectedDeliveryDate],
  ["finalShipTo", (o) => o.finalShipTo],
  ["orderType", (o) => o.orderType]
])

/**
 * Compiles a validated order filter into a predicate.
 *
 * @since 0.1.0
 */
export const compile = (filter: ExportFilter.OrderFilter): ((o: Order) => boolean) => {
  const common = commonTest<Order>(filter, (o) => o.orderDate)
  const status = anyOf(filter.status)
  const reason = anyOf(filter.reasonCode)
  const shipTo = anyOf(filter.finalShipTo)
  return (o) =>
    common(o) &&
    (status === undefined || status(o.status)) &&
    (reason === undefined || reason(o.reasonCode)) &&
    (shipTo === undefined || shipTo(o.finalShipTo))
}
