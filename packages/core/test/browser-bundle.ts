/** The browser bundle of core that a web form would ship: built by the purity test and the bundle benchmark. */
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = fileURLToPath(new URL("..", import.meta.url))

/** What a web form uses of core: validate, normalise, describe, wire-encode, keyed fingerprint — for every export kind. */
export const browserEntry = `
import { Describe, ExportFilter, ExportKind, Fingerprint, JsonSchema, Validation, WireFormat } from "../src/index.js"
import { Either } from "effect"

export const check = (input, keyBytes) => {
  const normalised = ExportFilter.CustomerFilter.normalize(input)
  const filter = Validation.validate(ExportFilter.CustomerFilter, normalised)
  const prepared = ExportKind.prepare(
    ExportKind.Customer,
    { downloadRequestId: "form-1", ...input },
    { fingerprintKey: Fingerprint.key(keyBytes) }
  )
  return {
    description: Either.isRight(filter) ? Describe.describeCustomerFilter(filter.right) : undefined,
    body: Either.isRight(prepared) ? WireFormat.encodeBody(ExportFilter.CustomerExportRequest, prepared.right.request) : undefined,
    fingerprint: Either.isRight(prepared) ? prepared.right.fingerprint : undefined
  }
}

export const checkAny = (name, input, keyBytes) => {
  const kind = ExportKind.byName(name)
  if (kind === undefined) return { kinds: ExportKind.names }
  const prepared = ExportKind.prepare(kind, { downloadRequestId: "form-1", ...input }, { fingerprintKey: Fingerprint.key(keyBytes) })
  return Either.isRight(prepared) ? prepared.right : { issues: prepared.left.issues, schema: JsonSchema.ofFilter(kind.filter) }
}
`

/** A minified browser bundle of `contents`, a module in `test/`, with its metafile. */
export const browserBundle = (contents: string) =>
  build({
    stdin: { contents, resolveDir: `${root}test`, loader: "js" },
    absWorkingDir: root,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "silent"
  })
