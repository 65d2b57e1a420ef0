/**
 * An export kind: what one of the API's asynchronous exports needs — a filter specification, a
 * route, the task type it creates and a way to describe a filter in plain English. Adding a kind
 * (ExportStock, ExportSellOut, …) is a value of this type, not a new code path: validation, wire
 * encoding, fingerprinting, JSON Schema and the client all work from it.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import { describeCustomerFilter } from "./Describe.js"
import { CustomerExportRequest, CustomerFilter } from "./ExportFilter.js"
import type * as FilterSpec from "./FilterSpec.js"
import * as Fingerprint from "./Fingerprint.js"
import * as Validation from "./Validation.js"
import * as WireFormat from "./WireFormat.js"

/**
 * An export kind over a request type `Request` (with `downloadRequestId` and `brand`) and its filter
 * type `Filter` (the request without `downloadRequestId`).
 *
 * @since 0.1.0
 */
export interface ExportKind<Request extends ExportRequestBase, Filter> {
  /** Short name, e.g. `customer`. */
  readonly name: string
  /** The ServiceStack operation, e.g. `ExportCustomer`. */
  readonly operation: string
  /** HTTP method of the route. */
  readonly method: "POST"
  /** Route template with a `{brand}` segment, e.g. `/customer/{brand}/export`. */
  readonly path: string
  /** The `type` of the task the export creates, when documented (a customer export: presumably `crm`). */
  readonly taskType: string
  /** The request body, with `downloadRequestId`. */
  readonly request: FilterSpec.FilterSpec<Request>
  /** The filter a person or agent writes: the request without `downloadRequestId`. */
  readonly filter: FilterSpec.FilterSpec<Filter>
  /** A plain-English account of who would be exported; never repeats personal values. */
  readonly describe: (filter: Filter) => string
}

/**
 * What every export request has.
 *
 * @since 0.1.0
 */
export interface ExportRequestBase {
  readonly downloadRequestId: string
  readonly brand: string
}

/**
 * Any export kind.
 *
 * @since 0.1.0
 */
// biome-ignore lint/suspicious/noExplicitAny: the existential of an export kind's two type parameters
export type Any = ExportKind<any, any>

/**
 * Customer exports: `POST /customer/{brand}/export` (`ExportCustomer`).
 *
 * @since 0.1.0
 */
export const Customer: ExportKind<CustomerExportRequest, CustomerFilter> = {
  name: "customer",
  operation: "ExportCustomer",
  method: "POST",
  path: "/customer/{brand}/export",
  taskType: "crm",
  request: CustomerExportRequest,
  filter: CustomerFilter,
  describe: describeCustomerFilter
}

/**
 * The route of a request: the kind's path with the brand URL-encoded.
 *
 * @since 0.1.0
 */
export const routeOf = <R extends ExportRequestBase, F>(
  kind: ExportKind<R, F>,
  request: { readonly brand: string }
) => WireFormat.route(kind.path, { brand: request.brand })

/**
 * A request ready to send: the validated body, its route, JSON text and keyed fingerprint.
 *
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
 * @since 0.1.0
 */
export const prepare = <R extends ExportRequestBase, F>(
  kind: ExportKind<R, F>,
  input: unknown,
  options: PrepareOptions
): Either.Either<Prepared<R>, Validation.ValidationError> =>
  Either.map(Validation.validate(kind.request, input), (request) => {
    const { downloadRequestId: _id, ...filter } = request
    return {
      request,
      method: kind.method,
      path: routeOf(kind, request),
      body: WireFormat.encodeBody(kind.request, request, options),
      fingerprint: Fingerprint.fingerprint(options.fingerprintKey, request),
      description: kind.describe(filter as unknown as F)
    }
  })
