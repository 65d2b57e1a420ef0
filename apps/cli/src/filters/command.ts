/**
 * `booster filters save|list|show|remove`: named filters kept beside the profiles and used with
 * `booster export --filter NAME`. Relative dates are kept as written and resolve when the export runs;
 * personal values (email, phone, free search…) are refused unless `--allow-personal`, and never shown.
 */
import { ExportKind, Validation } from "@booster-export/core"
import { Args, Command, Options } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import { withExamples } from "../app/help.js"
import * as Common from "../config/options.js"
import * as CommaLists from "../export/comma-lists.js"
import * as FilterFile from "../export/filter-file.js"
import { flagOf } from "../export/filter-flags.js"
import * as FilterInput from "../export/filter-input.js"
import { filterFileOption, filterOptions } from "../export/filter-options.js"
import { resolvePersonal } from "../export/personal-input.js"
import * as Request from "../export/request.js"
import { UsageError } from "../output/errors.js"
import * as Table from "../output/table.js"
import * as Term from "../output/terminal.js"
import * as Store from "./store.js"

const name = Args.text({ name: "name" }).pipe(
  Args.withDescription("The filter's name: letters, digits, '.', '_' or '-'.")
)

/** The fields a saved filter may leave to the profile or to flags given at run time. */
const LEFT_FOR_LATER = new Set(["brand", "posCodes", "downloadRequestId"])

/** Checks a filter to save: every field it holds must be valid once its relative dates resolve. */
const check = (kind: ExportKind.Any, filter: Record<string, unknown>) =>
  Effect.gen(function* () {
    const resolved = yield* FilterInput.resolveRelative(filter, kind)
    const issues = Either.match(Validation.validate(kind.filter, resolved), {
      onLeft: (error) => error.issues.filter((i) => !(i.rule === "required" && LEFT_FOR_LATER.has(i.path))),
      onRight: () => []
    })
    const [first, ...rest] = issues
    if (first !== undefined) return yield* new Validation.ValidationError({ issues: [first, ...rest] })
    return resolved
  })

/** The filter as flags, one per line, personal values hidden: `--creation-date-from -30d`. */
const asFlags = (filter: Readonly<Record<string, unknown>>, kind: ExportKind.Any): Array<string> =>
  Object.entries(FilterInput.hidePersonal(filter, kind)).flatMap(([wire, value]) => {
    const flag = flagOf(wire, kind)
    const shown = (v: unknown) =>
      typeof v === "object" && v !== null
        ? Object.entries(v)
            .map(([k, x]) => `${k}=${String(x)}`)
            .join(",")
        : String(v)
    const label = flag !== undefined ? `--${flag.flag}` : wire
    return (Array.isArray(value) ? value : [value]).map((v) => `${label} ${shown(v)}`)
  })

/** The kind of a saved filter (customers for those saved before other kinds). */
const kindOf = (saved: Store.SavedFilter): ExportKind.Any =>
  ExportKind.byName(saved.kind ?? ExportKind.Customer.name) ?? ExportKind.Customer

const save = Command.make(
  "save",
  {
    name,
    filter: filterOptions,
    filterFile: filterFileOption,
    kind: Options.choice("kind", ExportKind.names).pipe(
      Options.withDescription(
        "The export kind the filter is for (default customers); fields other than brand, POS codes and product categories of a kind other than customers come from --filter-file."
      ),
      Options.withDefault(ExportKind.Customer.name)
    ),
    allowPersonal: Options.boolean("allow-personal").pipe(
      Options.withDescription(
        "Allow saving personal values (email, phone, search key); they are never shown."
      )
    ),
    json: Common.json
  },
  (opts) =>
    Effect.gen(function* () {
      const filterName = yield* Store.checkName(opts.name)
      const file = Option.isSome(opts.filterFile) ? yield* FilterFile.read(opts.filterFile.value) : {}
      const { downloadRequestId: _, ...fromFile } = file
      const kind = ExportKind.byName(opts.kind) ?? ExportKind.Customer
      const texts = yield* resolvePersonal(opts.filter, Option.getOrUndefined(opts.filterFile) === "-")
      const foreign = Object.keys(FilterInput.fromFlags(texts)).filter(
        (wire) => flagOf(wire, kind) === undefined
      )
      if (foreign.length > 0) {
        return yield* new UsageError({
          message: `${foreign.map((wire) => `--${flagOf(wire)?.flag ?? wire}`).join(", ")} ${foreign.length === 1 ? "is not a filter field" : "are not filter fields"} of ${kind.name} exports`,
          hint: `See \`booster export ${kind.name} --help\` for its fields, and give them in --filter-file.`
        })
      }
      yield* CommaLists.checkSingleValues(texts, kind)
      const filter = { ...fromFile, ...FilterInput.fromFlags(texts, kind) }
      if (Object.keys(filter).length === 0) {
        return yield* new UsageError({
          message: "The filter to save is empty",
          hint: "Give filter flags (e.g. --customer-status Client --creation-date-from -30d) or --filter-file."
        })
      }
      const personal = FilterInput.personalFieldsOf(kind).filter((wire) => filter[wire] !== undefined)
      if (personal.length > 0 && !opts.allowPersonal) {
        const flags = personal.map((wire) => `--${flagOf(wire, kind)?.flag ?? wire}`).join(", ")
        return yield* new UsageError({
          message: `The filter holds personal data (${flags}); saved filters are kept on disk, so it was not saved`,
          hint: "Leave those flags out and give them when you export, or pass --allow-personal to save them (the file is private, 0600, and `filters show` never prints them)."
        })
      }
      yield* check(kind, filter).pipe(
        Effect.mapError((error) =>
          error._tag === "ValidationError"
            ? CommaLists.explain(error, CommaLists.splitFlags(texts, kind))
            : error
        ),
        Effect.mapError(Request.withKind(kind))
      )
      const store = yield* Store.load
      const replaced = Object.hasOwn(store.filters, filterName)
      const entry = {
        savedAt: new Date().toISOString(),
        ...(kind.name !== ExportKind.Customer.name ? { kind: kind.name } : {}),
        filter
      }
      const path = yield* Store.save({ filters: { ...store.filters, [filterName]: entry } })
      if (opts.json) return yield* Term.json({ name: filterName, path, replaced })
      yield* Term.err(
        Term.line`${replaced ? "Replaced" : "Saved"} filter ${Term.bold(filterName)} in ${path}.`
      )
      const command =
        kind.name === ExportKind.Customer.name ? "booster export" : `booster export ${kind.name}`
      yield* Term.err(Term.dim(Term.line`Use it with \`${command} --filter ${filterName}\`.`))
    })
).pipe(
  Command.withDescription(
    withExamples(
      "Save a filter under a name, from filter flags or --filter-file. Relative dates (today, -30d, start-of-month; birth months this, next, +N) are kept as written and resolve when the export runs. Brand and POS codes may be left to the profile or to flags given at run time. Personal values are refused unless --allow-personal.",
      [
        "booster filters save recent-clients --brand CAR --customer-status Client --creation-date-from -30d",
        "booster filters save birthdays --birthdate-month next --can-be-contacted-by-maison true",
        "booster filters save q3 --filter-file q3.json",
        "booster filters save stock-es --kind stock --pos-code ES100 --filter-file stock.json"
      ]
    )
  )
)

const list = Command.make("list", { json: Common.json }, (opts) =>
  Effect.gen(function* () {
    const store = yield* Store.load
    const entries = Object.entries(store.filters)
    if (opts.json) {
      return yield* Term.json(
        entries.map(([filterName, saved]) => ({
          name: filterName,
          kind: saved.kind ?? ExportKind.Customer.name,
          savedAt: saved.savedAt,
          fields: Object.keys(saved.filter)
        }))
      )
    }
    if (entries.length === 0) {
      return yield* Term.err("No saved filters. Save one with `booster filters save NAME …`.")
    }
    const now = new Date()
    for (const line of Table.table(
      ["NAME", "KIND", "SAVED", "FLAGS"],
      entries.map(([filterName, saved]) => [
        filterName,
        saved.kind ?? ExportKind.Customer.name,
        Table.when(saved.savedAt, now).date,
        Object.keys(saved.filter)
          .map((wire) => `--${flagOf(wire, kindOf(saved))?.flag ?? wire}`)
          .join(" ")
      ])
    ))
      yield* Term.out(line)
  })
).pipe(
  Command.withDescription(
    withExamples("List the saved filters.", ["booster filters list", "booster filters list --json"])
  )
)

const show = Command.make("show", { name, json: Common.json }, (opts) =>
  Effect.gen(function* () {
    const saved = yield* Store.get(opts.name)
    const kind = kindOf(saved)
    const resolved = yield* FilterInput.resolveRelative(saved.filter, kind)
    if (opts.json) {
      return yield* Term.json({
        name: opts.name,
        kind: kind.name,
        savedAt: saved.savedAt,
        filter: FilterInput.hidePersonal(saved.filter, kind),
        resolved: FilterInput.hidePersonal(resolved, kind)
      })
    }
    const at = Table.when(saved.savedAt, new Date())
    yield* Term.out(Term.line`name:  ${opts.name}`)
    yield* Term.out(Term.line`kind:  ${kind.name}`)
    yield* Term.out(Term.line`saved: ${at.date}${at.age !== "" ? ` (${at.age})` : ""}`)
    const written = asFlags(saved.filter, kind)
    const today = asFlags(resolved, kind)
    for (const [i, line] of written.entries()) {
      const now = today[i]
      yield* Term.out(
        Term.line`  ${line}${now !== undefined && now !== line ? `   (today: ${now.split(" ").slice(1).join(" ")})` : ""}`
      )
    }
  })
).pipe(
  Command.withDescription(
    withExamples(
      "Show a saved filter as flags, with what its relative dates resolve to today. Personal values are never shown.",
      ["booster filters show recent-clients", "booster filters show recent-clients --json"]
    )
  )
)

const remove = Command.make("remove", { name, json: Common.json }, (opts) =>
  Effect.gen(function* () {
    yield* Store.get(opts.name)
    const store = yield* Store.load
    const { [opts.name]: _, ...rest } = store.filters
    yield* Store.save({ filters: rest })
    if (opts.json) return yield* Term.json({ name: opts.name, removed: true })
    yield* Term.err(Term.line`Removed filter ${opts.name}.`)
  })
).pipe(
  Command.withDescription(withExamples("Remove a saved filter.", ["booster filters remove recent-clients"]))
)

/** The `filters` command. */
export const filtersCommand = Command.make("filters").pipe(
  Command.withDescription(
    withExamples(
      "Save filters under a name and export with `booster export --filter NAME`; flags given then replace the saved ones. Kept in the configuration folder beside the profiles (file 0600).",
      [
        "booster filters save recent-clients --brand CAR --creation-date-from -30d",
        "booster export --filter recent-clients --pos-code ES100 --dry-run"
      ]
    )
  ),
  Command.withSubcommands([save, list, show, remove])
)
