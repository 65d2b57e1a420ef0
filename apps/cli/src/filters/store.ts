/**
 * Saved filters (`$XDG_CONFIG_HOME/booster-export/filters.json`, mode 0600, folder 0700, written
 * atomically), beside the profiles. A saved filter is the raw filter in the wire shape, relative
 * dates kept as written (`-30d`), so that it resolves whenever it runs.
 */
import { ExportKind } from "@booster-export/core"
import { Effect, Schema } from "effect"
import * as Paths from "../config/paths.js"
import { ConfigError, UsageError } from "../output/errors.js"

/** One saved filter. */
export const SavedFilter = Schema.Struct({
  savedAt: Schema.String,
  /** The export kind's name; absent for the filters saved before other kinds (customers). */
  kind: Schema.optional(Schema.String),
  filter: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

/** One saved filter. */
export type SavedFilter = typeof SavedFilter.Type

/** The saved filters file. */
export const FiltersFile = Schema.Struct({
  filters: Schema.Record({ key: Schema.String, value: SavedFilter })
})

/** The saved filters file. */
export type FiltersFile = typeof FiltersFile.Type

const decodeFile = Schema.decodeUnknownEither(Schema.parseJson(FiltersFile))

/** Names: a letter or digit, then letters, digits, `.`, `_`, `-`; at most 64 characters. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Checks a filter name: no path separator, no leading dot, nothing but letters, digits, `.`, `_`, `-`. */
export const checkName = (name: string): Effect.Effect<string, UsageError> =>
  NAME.test(name)
    ? Effect.succeed(name)
    : Effect.fail(
        new UsageError({
          message:
            "A filter name must start with a letter or digit and hold only letters, digits, '.', '_' or '-' (at most 64; no path separators)",
          hint: "Choose a name such as recent-clients or car_es.2026."
        })
      )

/** Reads the saved filters; an absent file holds none. */
export const load: Effect.Effect<FiltersFile, ConfigError> = Effect.suspend(() =>
  Paths.readJson(
    Paths.filtersFile(),
    decodeFile,
    { filters: {} },
    {
      name: "filters",
      hint: "Fix it by hand, or remove it and save the filters again."
    }
  )
)

/** Writes the saved filters atomically (file 0600, folder 0700). */
export const save = (file: FiltersFile): Effect.Effect<string, ConfigError> =>
  Effect.try({
    try: () => {
      const path = Paths.filtersFile()
      Paths.writePrivateJson(path, file)
      return path
    },
    catch: () =>
      new ConfigError({
        message: `The filters file ${Paths.filtersFile()} cannot be written`,
        hint: "Check the permissions of its folder, or set XDG_CONFIG_HOME.",
        field: "filters"
      })
  })

/** One saved filter by name, or a usage error listing what is saved. */
export const get = (name: string): Effect.Effect<SavedFilter, UsageError | ConfigError> =>
  Effect.flatMap(load, (file) => {
    const found = Object.hasOwn(file.filters, name) ? file.filters[name] : undefined
    if (found !== undefined) return Effect.succeed(found)
    const names = Object.keys(file.filters)
    return Effect.fail(
      new UsageError({
        message: `No saved filter is named ${JSON.stringify(name)}`,
        hint:
          names.length > 0
            ? `Saved filters: ${names.join(", ")}. \`booster filters list\` shows them.`
            : "Save one with `booster filters save NAME --brand … --pos-code …`."
      })
    )
  })

/** The export kind a saved filter is for: its `kind`, customers for one saved before other kinds. */
export const kindOf = (saved: SavedFilter): string => saved.kind ?? ExportKind.Customer.name

/**
 * The saved filter `name`, refused (a usage error, exit 2) unless it was saved for `kind`: a filter
 * of one kind never runs as another's. `useInstead(savedKind)` is the command that would use it, for
 * the hint (e.g. `booster export stock --filter NAME`).
 */
export const getOfKind = (
  name: string,
  kind: ExportKind.Any,
  useInstead: (savedKind: string) => string
): Effect.Effect<SavedFilter, UsageError | ConfigError> =>
  Effect.flatMap(get(name), (saved) => {
    const savedKind = kindOf(saved)
    if (savedKind === kind.name) return Effect.succeed(saved)
    return Effect.fail(
      new UsageError({
        message: `The saved filter ${name} is a filter of ${savedKind} exports, not of ${kind.name}`,
        hint: `Use it with \`${useInstead(savedKind)}\`, or save a ${kind.name} filter with \`booster filters save NAME --kind ${kind.name} …\`.`
      })
    )
  })
