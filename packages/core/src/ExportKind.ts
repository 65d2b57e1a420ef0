/**
 * An export kind: what one of the API's asynchronous exports needs — a filter specification, a
 * route, the task type it creates (when known), what personal data its file carries, and a way to
 * describe a filter in plain English. Adding a kind is a value of this type, not a new code path:
 * validation, wire encoding, fingerprinting, JSON Schema and the client all work from it.
 *
 * The six kinds of the API, by command-line name:
 *
 * | name | value | operation | route |
 * |---|---|---|---|
 * | `customers` | {@link Customer} | `ExportCustomer` | `POST /customer/{brand}/export` |
 * | `stock` | {@link Stock} | `ExportStock` | `POST /stock/{brand}/export` |
 * | `movements` | {@link Movement} | `ExportMovement` | `POST /stock/{brand}/movement/export` |
 * | `sell-out` | {@link SellOut} | `ExportSellOut` | `POST /warranty/{brand}/export` |
 * | `invoices` | {@link Invoice} | `ExportInvoice` | `POST /invoice/{brand}/export` |
 * | `orders` | {@link Order} | `ExportOrder` | `POST /purchase/{brand}/export` |
 *
 * ```ts
 * const kind = ExportKind.byName("stock")            // typeof ExportKind.Stock
 * type F = ExportKind.FilterOf<"stock">              // ExportFilter.StockFilter
 * ExportKind.prepare(kind, { downloadRequestId: "r1", brand: "CAR" }, { fingerprintKey })
 * ```
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import {
  describeCustomerFilter,
  describeInvoiceFilter,
  describeMovementFilter,
  describeOrderFilter,
  describeSellOutFilter,
  describeStockFilter
} from "./Describe.js"
import {
  CustomerExportRequest,
  CustomerFilter,
  InvoiceExportRequest,
  InvoiceFilter,
  MovementExportRequest,
  MovementFilter,
  OrderExportRequest,
  OrderFilter,
  SellOutExportRequest,
  SellOutFilter,
  StockExportRequest,
  StockFilter
} from "./ExportFilter.js"
import type * as FilterSpec from "./FilterSpec.js"
import * as Fingerprint from "./Fingerprint.js"
import * as Validation from "./Validation.js"
import * as WireFormat from "./WireFormat.js"

/**
 * What an export's file carries in personal data, as far as it is known: the API documents no
 * export file's columns, so `what` says what the list endpoints over the same data show.
 *
 * @category models
 * @since 0.1.0
 */
export interface PersonalData {
  /** True when the file (presumably) holds personal data of customers or staff: treat it as such. */
  readonly carries: boolean
  /** Which personal data, in one or two sentences, and how sure that is. Never a value. */
  readonly what: string
}

/**
 * An export kind over a request type `Request` (with `downloadRequestId` and `brand`), its filter
 * type `Filter` (the request without `downloadRequestId`) and its command-line name `Name`.
 *
 * @category models
 * @since 0.1.0
 */
export interface ExportKind<Request extends ExportRequestBase, Filter, Name extends string = string> {
  /** Command-line name, plural where the data is countable: `customers`, `stock`, `sell-out`, …. */
  readonly name: Name
  /** Other names accepted by {@link byName}, e.g. `customer`, the name of earlier versions. */
  readonly aliases: ReadonlyArray<string>
  /** What is exported, in plain words: `customers`, `stock movements`, `sell-outs`, …. */
  readonly label: string
  /** The ServiceStack operation, e.g. `ExportCustomer`. */
  readonly operation: string
  /** The summary of the operation's route on the API's pages, e.g. `Export Customer Data`. */
  readonly summary: string
  /** HTTP method of the route. */
  readonly method: "POST"
  /** Route template with a `{brand}` segment, e.g. `/customer/{brand}/export`. */
  readonly path: string
  /**
   * The `type` of the task the export creates, as far as it is known. No page of the API links an
   * export to a task type; the task's own description gives the examples `crm`, `stock` and
   * `sellout`, so customer, stock and sell-out exports presumably create those. `undefined` means
   * unknown (movements, invoices, orders): a client must then not pick a task by its type.
   */
  readonly taskType: string | undefined
  /**
   * Mixed into the fingerprint (see `Fingerprint`): the kind's name for every kind but customers,
   * `undefined` for customers, whose fingerprints are unchanged from the versions before the other
   * kinds.
   */
  readonly fingerprintScope: string | undefined
  /** What personal data the exported file carries. */
  readonly personalData: PersonalData
  /** The request body, with `downloadRequestId`. */
  readonly request: FilterSpec.FilterSpec<Request>
  /** The filter a person or agent writes: the request without `downloadRequestId`. */
  readonly filter: FilterSpec.FilterSpec<Filter>
  /** A plain-English account of what would be exported; never repeats personal values. */
  readonly describe: (filter: Filter) => string
}

/**
 * What every export request has.
 *
 * @category models
 * @since 0.1.0
 */
export interface ExportRequestBase {
  readonly downloadRequestId: string
  readonly brand: string
}

/**
 * Any export kind.
 *
 * @category models
 * @since 0.1.0
 */
// biome-ignore lint/suspicious/noExplicitAny: the existential of an export kind's two type parameters
export type Any = ExportKind<any, any>

/**
 * Customer exports: `POST /customer/{brand}/export` (`ExportCustomer`).
 *
 * @category kinds
 * @since 0.1.0
 */
export const Customer: ExportKind<CustomerExportRequest, CustomerFilter, "customers"> = {
  name: "customers",
  aliases: ["customer"],
  label: "customers",
  operation: "ExportCustomer",
  summary: "Export Customer Data",
  method: "POST",
  path: "/customer/{brand}/export",
  taskType: "crm",
  fingerprintScope: undefined,
  personalData: {
    carries: true,
    what: "Customers' personal data: presumably names, emails, phone numbers, birth dates, spending and consent, as the customer pages show."
  },
  request: CustomerExportRequest,
  filter: CustomerFilter,
  describe: describeCustomerFilter
}

/**
 * Stock exports: `POST /stock/{brand}/export` (`ExportStock`).
 *
 * @category kinds
 * @since 0.1.0
 */
export const Stock: ExportKind<StockExportRequest, StockFilter, "stock"> = {
  name: "stock",
  aliases: [],
  label: "stock",
  operation: "ExportStock",
  summary: "Export Stock Data",
  method: "POST",
  path: "/stock/{brand}/export",
  taskType: "stock",
  fingerprintScope: "stock",
  personalData: {
    carries: false,
    what: "None known: the stock pages show points of sale, articles, serial numbers, quantities, dates and prices, and no person."
  },
  request: StockExportRequest,
  filter: StockFilter,
  describe: describeStockFilter
}

/**
 * Stock movement exports: `POST /stock/{brand}/movement/export` (`ExportMovement`).
 *
 * @category kinds
 * @since 0.1.0
 */
export const Movement: ExportKind<MovementExportRequest, MovementFilter, "movements"> = {
  name: "movements",
  aliases: ["movement"],
  label: "stock movements",
  operation: "ExportMovement",
  summary: "Export Stock Movement Data",
  method: "POST",
  path: "/stock/{brand}/movement/export",
  taskType: undefined,
  fingerprintScope: "movements",
  personalData: {
    carries: true,
    what: "Staff data, presumably: the movement pages show who created each movement (createdBy) and free-text comments, which may name people; no customer data is known."
  },
  request: MovementExportRequest,
  filter: MovementFilter,
  describe: describeMovementFilter
}

/**
 * Sell-out exports: `POST /warranty/{brand}/export` (`ExportSellOut`).
 *
 * @category kinds
 * @since 0.1.0
 */
export const SellOut: ExportKind<SellOutExportRequest, SellOutFilter, "sell-out"> = {
  name: "sell-out",
  aliases: ["sellout"],
  label: "sell-outs",
  operation: "ExportSellOut",
  summary: "Export Sell-Out Data",
  method: "POST",
  path: "/warranty/{brand}/export",
  taskType: "sellout",
  fingerprintScope: "sell-out",
  personalData: {
    carries: true,
    what: "Presumably the customer of each sale (boosterCustomerId) and sales representatives' emails, as the sale-detail pages show."
  },
  request: SellOutExportRequest,
  filter: SellOutFilter,
  describe: describeSellOutFilter
}

/**
 * Invoice exports: `POST /invoice/{brand}/export` (`ExportInvoice`).
 *
 * @category kinds
 * @since 0.1.0
 */
export const Invoice: ExportKind<InvoiceExportRequest, InvoiceFilter, "invoices"> = {
  name: "invoices",
  aliases: ["invoice"],
  label: "invoices",
  operation: "ExportInvoice",
  summary: "Export Invoice Data",
  method: "POST",
  path: "/invoice/{brand}/export",
  taskType: undefined,
  fingerprintScope: "invoices",
  personalData: {
    carries: true,
    what: "Not documented (no page shows an invoice row); treated as carrying customer references, as orders do."
  },
  request: InvoiceExportRequest,
  filter: InvoiceFilter,
  describe: describeInvoiceFilter
}

/**
 * Order exports: `POST /purchase/{brand}/export` (`ExportOrder`).
 *
 * @category kinds
 * @since 0.1.0
 */
export const Order: ExportKind<OrderExportRequest, OrderFilter, "orders"> = {
  name: "orders",
  aliases: ["order"],
  label: "orders",
  operation: "ExportOrder",
  summary: "Export Order Data",
  method: "POST",
  path: "/purchase/{brand}/export",
  taskType: undefined,
  fingerprintScope: "orders",
  personalData: {
    carries: true,
    what: "Presumably a customer reference on each order line (customerReference), which may name an end client, as the purchase pages show."
  },
  request: OrderExportRequest,
  filter: OrderFilter,
  describe: describeOrderFilter
}

/**
 * Every export kind by command-line name.
 *
 * @category registry
 * @since 0.1.0
 */
export const kinds = {
  customers: Customer,
  stock: Stock,
  movements: Movement,
  "sell-out": SellOut,
  invoices: Invoice,
  orders: Order
} as const

/**
 * The export kinds by command-line name, as a type: `Kinds["stock"]` is `typeof Stock`.
 *
 * @category registry
 * @since 0.1.0
 */
export type Kinds = typeof kinds

/**
 * A command-line name of an export kind: `customers`, `stock`, `movements`, `sell-out`, `invoices`
 * or `orders`.
 *
 * @category registry
 * @since 0.1.0
 */
export type Name = keyof Kinds

/**
 * The command-line names, in the order of the API's pages.
 *
 * @category registry
 * @since 0.1.0
 */
export const names: ReadonlyArray<Name> = Object.keys(kinds) as Array<Name>

/**
 * Every export kind, in the order of {@link names}.
 *
 * @category registry
 * @since 0.1.0
 */
export const all: ReadonlyArray<Any> = Object.values(kinds)

/**
 * The filter type of a kind, given by its name or its value: `FilterOf<"stock">` is
 * `ExportFilter.StockFilter`.
 *
 * @category type-level
 * @since 0.1.0
 */
export type FilterOf<K extends Name | Any> =
  (K extends Name ? Kinds[K] : K) extends ExportKind<infer _Request, infer Filter> ? Filter : never

/**
 * The request type of a kind (the filter with `downloadRequestId`), given by its name or its value.
 *
 * @category type-level
 * @since 0.1.0
 */
export type RequestOf<K extends Name | Any> =
  (K extends Name ? Kinds[K] : K) extends ExportKind<infer Request, infer _Filter> ? Request : never

/** True when `T` is a union of several types. */
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never

/**
 * The kind of a command-line name or alias (`stock`, `customer`, ` Sell-Out `: trimmed, any case);
 * `undefined` for a name that is none. A literal name gives that kind's own type
 * (`byName("stock")` is `typeof Stock`); any other name gives {@link Any}.
 *
 * @category registry
 * @since 0.1.0
 */
export function byName<N extends Name>(name: N): IsUnion<N> extends true ? Any : Kinds[N]
export function byName(name: string): Any | undefined
export function byName(name: string): Any | undefined {
  const wanted = name.trim().toLowerCase()
  return all.find((kind) => kind.name === wanted || kind.aliases.includes(wanted))
}

/**
 * The kind whose exports (presumably) create tasks of this `type` (`crm`, `stock`, `sellout`: see
 * `taskType`); `undefined` for any other type — an import task, or an export whose task type is not
 * known (movements, invoices, orders). Prefer what the journal recorded at the start when there is one.
 *
 * @category registry
 * @since 0.1.0
 */
export const byTaskType = (type: string): Any | undefined =>
  all.find((kind) => kind.taskType !== undefined && kind.taskType === type)

/**
 * The fingerprint of a validated, normalised filter (or request) of `kind` under `key`: the
 * customer fingerprint unchanged, the kind's name mixed in for the others.
 *
 * @category requests
 * @since 0.1.0
 */
export const fingerprint = (kind: Any, key: Fingerprint.Key, filter: object): string =>
  Fingerprint.fingerprint(key, filter, kind.fingerprintScope)

/**
 * The route of a request: the kind's path with the brand URL-encoded.
 *
 * @category requests
 * @since 0.1.0
 */
export const routeOf = (kind: Any, request: { readonly brand: string }): string =>
  WireFormat.route(kind.path, { brand: request.brand })

/**
 * A request ready to send: the validated body, its route, JSON text and keyed fingerprint.
 *
 * @category requests
 * @since 0.1.0
 */
export interface Prepared<Request> {
  readonly request: Request
  readonly method: "POST"
  readonly path: string
  readonly body: string
  readonly fingerprint: string
  readonly description: string
}

/**
 * Options of {@link prepare}: the wire encoding's, and the key the fingerprint is computed under.
 *
 * @category requests
 * @since 0.1.0
 */
export interface PrepareOptions extends WireFormat.EncodeOptions {
  /** The secret key of the fingerprint (see {@link Fingerprint.fingerprint}). */
  readonly fingerprintKey: Fingerprint.Key
}

/**
 * Validates a raw request (a filter plus `downloadRequestId`) and prepares it for the wire, with
 * its fingerprint under `options.fingerprintKey`.
 *
 * @category requests
 * @since 0.1.0
 */
export const prepare = <K extends Any>(
  kind: K,
  input: unknown,
  options: PrepareOptions
): Either.Either<Prepared<RequestOf<K>>, Validation.ValidationError> =>
  Either.map(Validation.validate<ExportRequestBase>(kind.request, input), (request) => {
    const { downloadRequestId: _id, ...filter } = request
    return {
      request: request as RequestOf<K>,
      method: kind.method,
      path: routeOf(kind, request),
      body: WireFormat.encodeBody(kind.request, request, options),
      fingerprint: fingerprint(kind, options.fingerprintKey, request),
      description: kind.describe(filter)
    }
  })
