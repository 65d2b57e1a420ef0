/**
 * Wire encoding: the JSON body the API receives (its own field names, absent fields omitted, dates as
 * `YYYY-MM-DD` or ServiceStack's `\/Date(ms)\/`), and the route with the brand URL-encoded.
 *
 * @since 0.1.0
 */
import type * as FilterSpec from "./FilterSpec.js"

/**
 * How dates are written on the wire: `iso` (`2022-01-01`, the default) or `wcf`
 * (`"\/Date(1640995200000)\/"`, ServiceStack's own JSON form, midnight UTC).
 *
 * @since 0.1.0
 */
export type DateFormat = "iso" | "wcf"

/**
 * Options of {@link encodeBody}.
 *
 * @since 0.1.0
 */
export interface EncodeOptions {
  /** Date form on the wire. Default `iso`. */
  readonly dateFormat?: DateFormat
}

/**
 * The milliseconds since the epoch of a `YYYY-MM-DD` date at midnight UTC.
 *
 * @since 0.1.0
 */
export const dateToEpochMillis = (date: string): number => Date.parse(`${date}T00:00:00Z`)

/**
 * The request as a plain JSON value with the API's field names, absent fields omitted, members in
 * the documented order. Dates stay `YYYY-MM-DD` (see {@link encodeBody} for the WCF form).
 *
 * @since 0.1.0
 */
export const toWire = <A>(spec: FilterSpec.FilterSpec<A>, value: A): Record<string, unknown> => {
  const source = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const name of Object.keys(spec.fields)) {
    if (source[name] !== undefined) out[name] = source[name]
  }
  return out
}

/**
 * The request body as JSON text. With `dateFormat: "wcf"`, date fields are written
 * `"\/Date(ms)\/"` exactly as ServiceStack writes them.
 *
 * @since 0.1.0
 */
export const encodeBody = <A>(
  spec: FilterSpec.FilterSpec<A>,
  value: A,
  options: EncodeOptions = {}
): string => {
  const wire = toWire(spec, value)
  if (options.dateFormat !== "wcf") return JSON.stringify(wire)
  const members = Object.entries(wire).map(([name, member]) => {
    const isDate = spec.fields[name]?.kind._tag === "Date" && typeof member === "string"
    const encoded = isDate ? `"\\/Date(${dateToEpochMillis(member as string)})\\/"` : JSON.stringify(member)
    return `${JSON.stringify(name)}:${encoded}`
  })
  return `{${members.join(",")}}`
}

/**
 * Builds a route from a template with `{name}` segments, URL-encoding each value.
 *
 * @since 0.1.0
 */
export const route = (template: string, params: Readonly<Record<string, string>>): string =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`route ${template} needs a value for {${name}}`)
    return encodeURIComponent(value)
  })
