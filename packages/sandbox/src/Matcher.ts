/**
 * Filter semantics of the simulated `ExportCustomer`: which customers a validated filter selects.
 *
 * - `brand` and `posCodes` (any of) are required; compared case-insensitively.
 * - `email` is an exact (case-insensitive) match; `phoneNumber` an exact match on the E.164 number,
 *   spaces, dots, dashes and parentheses in the filter ignored.
 * - `searchKey` is a case-insensitive substring of the first name, last name, `first last`, email,
 *   phone number without its country prefix, Booster id or SAP CRM id.
 * - `…From` / `…To` ranges are inclusive; the transaction range applies to the last transaction date,
 *   so customers without a transaction never match it.
 * - Lists mean any of. Nested filters match on their ids: interests on `sapInterestId`, product
 *   collections on `sapProductCollectionId`, hobbies on `sapHobbyId` (on the label when no id is
 *   given), product categories on every id given in the item (all on the same category).
 * - Every given field must hold (and).
 *
 * @since 0.1.0
 */
import type { ExportFilter } from "@booster-export/core"
import type { Customer } from "./Customers.js"
import { categoryMatcher } from "./internal/catalog.js"

/**
 * A compiled filter: true when the customer is selected.
 *
 * @since 0.1.0
 */
export type Predicate = (customer: Customer) => boolean

const upperSet = (values: ReadonlyArray<string>): Set<string> => new Set(values.map((v) => v.toUpperCase()))
const lowerSet = (values: ReadonlyArray<string>): Set<string> => new Set(values.map((v) => v.toLowerCase()))

/**
 * The phone number as compared by `phoneNumber`: without spaces, dots, dashes or parentheses.
 *
 * @since 0.1.0
 */
export const phoneKey = (phone: string): string => phone.replace(/[\s().-]/g, "")

/**
 * Compiles a validated, normalised filter (or full request) into a predicate.
 *
 * @since 0.1.0
 */
export const compile = (filter: ExportFilter.CustomerFilter): Predicate => {
  const tests: Array<Predicate> = []
  const brand = filter.brand.toUpperCase()
  tests.push((c) => c.brand === brand)
  const pos = upperSet(filter.posCodes)
  tests.push((c) => pos.has(c.posCode))
  if (filter.searchKey !== undefined) {
    const key = filter.searchKey.toLowerCase()
    tests.push(
      (c) =>
        c.firstName.toLowerCase().includes(key) ||
        c.lastName.toLowerCase().includes(key) ||
        `${c.firstName} ${c.lastName}`.toLowerCase().includes(key) ||
        c.email.includes(key) ||
        c.phoneNational.includes(key) ||
        String(c.boosterCustomerId).includes(key) ||
        c.sapCrmId.toLowerCase().includes(key)
    )
  }
  if (filter.phoneNumber !== undefined) {
    const phone = phoneKey(filter.phoneNumber)
    tests.push((c) => c.phoneNumber === phone)
  }
  if (filter.email !== undefined) {
    const email = filter.email.toLowerCase()
    tests.push((c) => c.email === email)
  }
  if (filter.locationCountryIds !== undefined) {
    const countries = lowerSet(filter.locationCountryIds)
    tests.push((c) => countries.has(c.locationCountryId))
  }
  const { clientSpendingFrom: spendFrom, clientSpendingTo: spendTo } = filter
  if (spendFrom !== undefined) tests.push((c) => c.clientSpending >= spendFrom)
  if (spendTo !== undefined) tests.push((c) => c.clientSpending <= spendTo)
  const { creationDateFrom: createdFrom, creationDateTo: createdTo } = filter
  if (createdFrom !== undefined) tests.push((c) => c.creationDate >= createdFrom)
  if (createdTo !== undefined) tests.push((c) => c.creationDate <= createdTo)
  const { transactionDateFrom: boughtFrom, transactionDateTo: boughtTo } = filter
  if (boughtFrom !== undefined) {
    tests.push((c) => c.lastTransactionDate !== undefined && c.lastTransactionDate >= boughtFrom)
  }
  if (boughtTo !== undefined) {
    tests.push((c) => c.lastTransactionDate !== undefined && c.lastTransactionDate <= boughtTo)
  }
  const consent = filter.canBeContactedByMaison
  if (consent !== undefined) tests.push((c) => c.canBeContactedByMaison === consent)
  if (filter.birthdateMonths !== undefined) {
    const months = new Set(filter.birthdateMonths)
    tests.push((c) => months.has(c.birthMonth))
  }
  if (filter.interests !== undefined) {
    const ids = upperSet(filter.interests.map((i) => i.sapInterestId))
    tests.push((c) => c.interests.some((i) => ids.has(i.sapInterestId.toUpperCase())))
  }
  if (filter.hobbies !== undefined) {
    const ids = upperSet(filter.hobbies.flatMap((h) => (h.sapHobbyId !== undefined ? [h.sapHobbyId] : [])))
    const labels = lowerSet(
      filter.hobbies.flatMap((h) => (h.sapHobbyId === undefined && h.hobby !== undefined ? [h.hobby] : []))
    )
    tests.push((c) =>
      c.hobbies.some((h) => ids.has(h.sapHobbyId.toUpperCase()) || labels.has(h.hobby.toLowerCase()))
    )
  }
  if (filter.productCollections !== undefined) {
    const ids = upperSet(filter.productCollections.map((p) => p.sapProductCollectionId))
    tests.push((c) => c.productCollections.some((p) => ids.has(p.sapProductCollectionId.toUpperCase())))
  }
  if (filter.customerStatus !== undefined) {
    const wanted = lowerSet(filter.customerStatus)
    tests.push((c) => wanted.has(c.customerStatus.toLowerCase()))
  }
  if (filter.boosterCustomerIds !== undefined) {
    const ids = new Set(filter.boosterCustomerIds)
    tests.push((c) => ids.has(c.boosterCustomerId))
  }
  const sapError = filter.hasSapCrmError
  if (sapError !== undefined) tests.push((c) => c.hasSapCrmError === sapError)
  const category = categoryMatcher(filter.productCategories)
  if (category !== undefined) tests.push((c) => c.productCategories.some(category))
  if (filter.saleRepresentativeEmails !== undefined) {
    const reps = lowerSet(filter.saleRepresentativeEmails)
    tests.push((c) => reps.has(c.saleRepresentativeEmail))
  }
  return (c) => {
    for (const test of tests) if (!test(c)) return false
    return true
  }
}
