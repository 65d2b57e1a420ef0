/**
 * A short plain-English account of who a customer filter would export, for confirmation prompts and
 * agents. Personal values (emails, phone numbers, search keys, customer ids) are never repeated: the
 * description says that such a criterion is present, not what it is.
 *
 * @since 0.1.0
 */
import type { CustomerFilter } from "./ExportFilter.js"

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

const subject = (statuses: ReadonlyArray<string> | undefined): string => {
  if (statuses === undefined || statuses.length === 0) return "Customers"
  const words = statuses.map((status) => {
    const lower = status.toLowerCase()
    return lower.endsWith("s") ? lower : `${lower}s`
  })
  const text = andList(words)
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`
}

/**
 * Describes a validated customer filter, e.g. "Clients and prospects of CAR at 2 points of sale
 * (ES100, IT200), in it or fr, created 2022-01-01 to 2023-11-01, spending 100–50,000, who agreed to
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
  if (filter.locationCountryIds?.length) parts.push(`in ${orList(filter.locationCountryIds)}`)
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
    const names = filter.productCategories.map(
      (c) => c.subCategoryId ?? c.categoryId ?? c.masterCategoryId ?? c.brandCategoryId ?? c.grandCategoryId
    )
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
  return parts.filter((part): part is string => part !== undefined).join(", ")
}
