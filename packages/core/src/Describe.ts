/**
 * A short plain-English account of what a filter would export, for confirmation prompts and
 * agents: one function per export kind. Personal values (emails, phone numbers, search keys,
 * customer ids, sales representatives' emails) are never repeated: the description says that such a
 * criterion is present, not what it is.
 *
 * @since 0.1.0
 */
import {
  type CustomerFilter,
  type InvoiceFilter,
  type MovementFilter,
  ORDER_STATUSES,
  type OrderFilter,
  type SellOutFilter,
  type StockFilter,
  WARRANTY_EXTENSION_STATUSES
} from "./ExportFilter.js"

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]

let numberFormat: Intl.NumberFormat | undefined

/** Formats an amount with thousands separators; the formatter (ICU) is built on first use only. */
const formatNumber = (value: number): string => {
  numberFormat ??= new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 })
  return numberFormat.format(value)
}

const orList = (items: ReadonlyArray<string>, max = 5): string => {
  const shown = items.slice(0, max)
  const more = items.length - shown.length
  if (more > 0) return `${shown.join(", ")} or ${more} more`
  if (shown.length <= 1) return shown.join("")
  return `${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1]}`
}

const commaList = (items: ReadonlyArray<string>, max = 5): string => {
  const more = items.length - max
  return `${items.slice(0, max).join(", ")}${more > 0 ? ` and ${more} more` : ""}`
}

const andList = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

const range = (label: string, from: string | undefined, to: string | undefined): string | undefined => {
  if (from !== undefined && to !== undefined) return `${label} ${from} to ${to}`
  if (from !== undefined) return `${label} on or after ${from}`
  if (to !== undefined) return `${label} on or before ${to}`
  return undefined
}

const spending = (from: number | undefined, to: number | undefined): string | undefined => {
  if (from !== undefined && to !== undefined) return `spending ${formatNumber(from)}–${formatNumber(to)}`
  if (from !== undefined) return `spending at least ${formatNumber(from)}`
  if (to !== undefined) return `spending at most ${formatNumber(to)}`
  return undefined
}

/**
 * Customer statuses as the people they name: `Client` → "clients", an acronym status such as `VIC`
 * → "VIC clients" (never "vics").
 */
const subject = (statuses: ReadonlyArray<string> | undefined): string => {
  if (statuses === undefined || statuses.length === 0) return "Customers"
  const words = statuses.map((status) => {
    if (/^[A-Z][A-Z0-9]+$/.test(status)) return `${status} clients`
    const lower = status.toLowerCase()
    return lower.endsWith("s") ? lower : `${lower}s`
  })
  const text = andList(words)
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`
}

const capitalize = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`

const atPos = (posCodes: ReadonlyArray<string>) =>
  `at ${plural(posCodes.length, "point of sale", "points of sale")} (${commaList(posCodes)})`

type Category = CustomerFilter["productCategories"] extends ReadonlyArray<infer C> | undefined ? C : never

/** The most precise id of each category given: `RNG-GLD-01` rather than `JEW`. */
const categoryNames = (categories: ReadonlyArray<Category>) =>
  categories.map(
    (c) => c.subCategoryId ?? c.categoryId ?? c.masterCategoryId ?? c.brandCategoryId ?? c.grandCategoryId
  )

const inCategories = (categories: ReadonlyArray<Category> | undefined): string | undefined => {
  if (!categories?.length) return undefined
  const names = categoryNames(categories)
  return `in the categor${names.length === 1 ? "y" : "ies"} ${orList(names)}`
}

const ofArticles = (articles: ReadonlyArray<string> | undefined): string | undefined => {
  if (!articles?.length) return undefined
  return articles.length === 1
    ? `of the article ${articles[0]}`
    : `of ${articles.length} articles (${commaList(articles)})`
}

const sentence = (parts: ReadonlyArray<string | undefined>) =>
  parts.filter((part): part is string => part !== undefined).join(", ")

/**
 * Describes a validated customer filter, e.g. "Clients and prospects of CAR at 2 points of sale
 * (ES100, IT200), in IT or FR, created 2022-01-01 to 2023-11-01, spending 100–50,000, who agreed to
 * be contacted".
 *
 * @since 0.1.0
 */
export const describeCustomerFilter = (filter: CustomerFilter): string => {
  const parts: Array<string | undefined> = []
  const pos = filter.posCodes
  parts.push(
    `${subject(filter.customerStatus)} of ${filter.brand} at ${plural(pos.length, "point of sale", "points of sale")} (${commaList(pos)})`
  )
  if (filter.locationCountryIds?.length)
    parts.push(`in ${orList(filter.locationCountryIds.map((country) => country.toUpperCase()))}`)
  parts.push(range("created", filter.creationDateFrom, filter.creationDateTo))
  parts.push(range("with a transaction", filter.transactionDateFrom, filter.transactionDateTo))
  parts.push(spending(filter.clientSpendingFrom, filter.clientSpendingTo))
  if (filter.birthdateMonths?.length) {
    parts.push(
      `born in ${orList(
        filter.birthdateMonths.map((month) => MONTHS[month - 1] ?? String(month)),
        12
      )}`
    )
  }
  if (filter.interests?.length) parts.push(`interested in ${orList(filter.interests.map((i) => i.interest))}`)
  if (filter.hobbies?.length) {
    parts.push(`with the hobby ${orList(filter.hobbies.map((h) => h.hobby ?? h.sapHobbyId ?? "?"))}`)
  }
  if (filter.productCollections?.length) {
    parts.push(`who bought from ${orList(filter.productCollections.map((c) => c.productCollection))}`)
  }
  if (filter.productCategories?.length) {
    const names = categoryNames(filter.productCategories)
    parts.push(`who bought in the categor${names.length === 1 ? "y" : "ies"} ${orList(names)}`)
  }
  if (filter.boosterCustomerIds?.length) {
    parts.push(`among ${plural(filter.boosterCustomerIds.length, "given customer id", "given customer ids")}`)
  }
  if (filter.saleRepresentativeEmails?.length) {
    parts.push(
      `served by ${plural(filter.saleRepresentativeEmails.length, "given sales representative", "given sales representatives")}`
    )
  }
  if (filter.email !== undefined) parts.push("with a given email address")
  if (filter.phoneNumber !== undefined) parts.push("with a given phone number")
  if (filter.searchKey !== undefined) parts.push("matching a search key")
  if (filter.hasSapCrmError !== undefined) {
    parts.push(filter.hasSapCrmError ? "whose SAP CRM sync failed" : "whose SAP CRM sync did not fail")
  }
  if (filter.canBeContactedByMaison !== undefined) {
    parts.push(
      filter.canBeContactedByMaison ? "who agreed to be contacted" : "who did not agree to be contacted"
    )
  }
  return sentence(parts)
}

/**
 * Describes a validated stock filter, e.g. "Consigned stock of CAR at 2 points of sale (ES100,
 * IT200), of the article CRWSTA0030, that entered stock on or after 2024-01-01, with retail sales
 * prices".
 *
 * @since 0.1.0
 */
export const describeStockFilter = (filter: StockFilter): string => {
  const subject = filter.type === undefined ? "Stock" : `${capitalize(filter.type)} stock`
  const where = filter.posCodes?.length ? ` ${atPos(filter.posCodes)}` : " (no point of sale given)"
  const flag = (value: boolean | undefined, yes: string, no: string) =>
    value === undefined ? undefined : value ? yes : no
  return sentence([
    `${subject} of ${filter.brand}${where}`,
    ofArticles(filter.articleCodes),
    filter.clusterIds?.length
      ? `in the cluster${filter.clusterIds.length === 1 ? "" : "s"} ${orList(filter.clusterIds)}`
      : undefined,
    inCategories(filter.productCategories),
    range("that entered stock", filter.dateFrom, filter.dateTo),
    flag(filter.includeRSP, "with retail sales prices", "without retail sales prices"),
    flag(filter.includeExtraInfo, "with extra information", "without extra information"),
    flag(
      filter.includeConsignmentNotAuthorizedPOS,
      "including points of sale not authorised for consignment",
      "leaving out points of sale not authorised for consignment"
    )
  ])
}

/**
 * Describes a validated movement filter, e.g. "Stock movements of CAR at 1 point of sale (ES100), of
 * the movement types 1 or 2, dated 2024-01-01 to 2024-03-31, oldest first". A search key (an
 * article code or a serial number, which may identify a customer's piece) is said to be present,
 * not repeated.
 *
 * @since 0.1.0
 */
export const describeMovementFilter = (filter: MovementFilter): string => {
  const types = filter.movementTypeIds
  return sentence([
    `Stock movements of ${filter.brand} ${atPos(filter.posCodes)}`,
    types?.length
      ? `of the movement type${types.length === 1 ? "" : "s"} ${orList(types.map(String))}`
      : undefined,
    filter.searchKey !== undefined ? "matching a given article code or serial number" : undefined,
    range("dated", filter.dateFrom, filter.dateTo),
    filter.sortBy === undefined ? undefined : filter.sortBy === "DateASC" ? "oldest first" : "newest first"
  ])
}

/**
 * Describes a validated sell-out filter, e.g. "Returns of CAR at 2 points of sale (ES100, IT200), of
 * consigned items, dated 2024-01-01 to 2024-12-31, by 1 given sales representative, whose
 * warranty extension is activated or pending".
 *
 * @since 0.1.0
 */
export const describeSellOutFilter = (filter: SellOutFilter): string => {
  const subject =
    filter.selloutType === "sellout"
      ? "Sales"
      : filter.selloutType === "return"
        ? "Returns"
        : "Sales and returns"
  const statuses = filter.warrantyExtensionStatusIds
  const reps = filter.saleRepresentativeEmails
  return sentence([
    `${subject} of ${filter.brand} ${atPos(filter.posCodes)}`,
    filter.type !== undefined ? `of ${filter.type} items` : undefined,
    ofArticles(filter.articleCodes),
    inCategories(filter.productCategories),
    range("dated", filter.dateFrom, filter.dateTo),
    reps?.length
      ? `by ${plural(reps.length, "given sales representative", "given sales representatives")}`
      : undefined,
    statuses?.length
      ? `whose warranty extension is ${orList(
          statuses.map((id) => WARRANTY_EXTENSION_STATUSES[id] ?? `in status ${id}`),
          6
        )}`
      : undefined
  ])
}

const withReasonCodes = (codes: ReadonlyArray<string> | undefined) =>
  codes?.length ? `with the reason code${codes.length === 1 ? "" : "s"} ${orList(codes)}` : undefined

/**
 * Describes a validated invoice filter, e.g. "Invoices of CAR at 2 points of sale (ES100, IT200),
 * dated 2024-01-01 to 2024-12-31, with the reason codes Y00 or Y06".
 *
 * @since 0.1.0
 */
export const describeInvoiceFilter = (filter: InvoiceFilter): string =>
  sentence([
    `Invoices of ${filter.brand} ${atPos(filter.posCodes)}`,
    range("dated", filter.dateFrom, filter.dateTo),
    withReasonCodes(filter.reasonCodes),
    inCategories(filter.productCategories)
  ])

/**
 * Describes a validated order filter, e.g. "Orders of CAR at 1 point of sale (ES100), dated on or
 * after 2024-01-01, that are shipped or partially shipped, finally shipped to IT200".
 *
 * @since 0.1.0
 */
export const describeOrderFilter = (filter: OrderFilter): string => {
  const statuses = filter.status
  const shipTo = filter.finalShipTo
  return sentence([
    `Orders of ${filter.brand} ${atPos(filter.posCodes)}`,
    range("dated", filter.dateFrom, filter.dateTo),
    statuses?.length
      ? `that are ${orList(
          statuses.map((code) => ORDER_STATUSES[code]),
          10
        )}`
      : undefined,
    withReasonCodes(filter.reasonCode),
    inCategories(filter.productCategories),
    shipTo?.length ? `finally shipped to ${orList(shipTo)}` : undefined
  ])
}
