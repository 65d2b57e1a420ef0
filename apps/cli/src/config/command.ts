/**
 * `booster config set|show|list|remove|path`: named profiles with base URL, auth settings, extra
 * headers, default brand and POS codes. Secrets are never stored: a profile may name a file that
 * holds the API key.
 */
import * as Journal from "@booster-export/journal/Journal"
import { Args, Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { withExamples } from "../app/help.js"
import { ConfigError } from "../output/errors.js"
import * as Term from "../output/terminal.js"
import * as Common from "./options.js"
import * as Paths from "./paths.js"
import * as Profiles from "./profiles.js"

const profileName = Options.text("profile").pipe(
  Options.withPseudoName("NAME"),
  Options.withDescription(
    'Profile name (default: BOOSTER_PROFILE, then the file\'s default, then "default").'
  ),
  Options.optional
)

const nameOf = (file: Profiles.ProfilesFile, flag: Option.Option<string>) =>
  Option.getOrUndefined(flag) ?? (process.env.BOOSTER_PROFILE?.trim() || file.default || "default")

/** A `--journal-url` as given: `local`, or a postgres:// URL without a password. */
const checkJournalUrl = (flag: Option.Option<string>): Effect.Effect<Option.Option<string>, ConfigError> => {
  if (Option.isNone(flag)) return Effect.succeed(flag)
  const url = flag.value.trim()
  if (url === "local") return Effect.succeed(Option.some(url))
  if (!Journal.isDatabaseUrl(url))
    return new ConfigError({
      message: "--journal-url must be a postgres:// URL or local",
      hint: "Give postgres://user@host:5432/database, or local for the journal file on this machine.",
      field: "--journal-url"
    })
  if (URL.canParse(url) && new URL(url).password !== "")
    return new ConfigError({
      message: "--journal-url holds a password, and a profile never holds a secret",
      hint: "Give the URL without its password and the password in PGPASSWORD or ~/.pgpass.",
      field: "--journal-url"
    })
  return Effect.succeed(Option.some(url))
}

const set = Command.make(
  "set",
  {
    profile: profileName,
    baseUrl: Options.text("base-url").pipe(
      Options.withPseudoName("URL"),
      Options.withDescription("API base URL."),
      Options.optional
    ),
    apiKeyHeader: Options.text("api-key-header").pipe(
      Options.withPseudoName("HEADER"),
      Options.withDescription("Header carrying the API key (default Authorization: Bearer)."),
      Options.optional
    ),
    apiKeyFile: Options.text("api-key-file").pipe(
      Options.withPseudoName("PATH"),
      Options.withDescription("File holding the API key (the key itself is never stored)."),
      Options.optional
    ),
    allowInsecureHttp: Options.boolean("allow-insecure-http").pipe(
      Options.withDescription("Allow plain http:// to a non-loopback host.")
    ),
    header: Options.keyValueMap("header").pipe(
      Options.withPseudoName("NAME=VALUE"),
      Options.withDescription("Extra static header NAME=VALUE sent to the API."),
      Options.optional
    ),
    brand: Options.text("brand").pipe(
      Options.withPseudoName("BRAND"),
      Options.withDescription("Default brand of exports."),
      Options.optional
    ),
    posCode: Options.text("pos-code").pipe(
      Options.withPseudoName("POS_CODE"),
      Options.withDescription("Default POS code."),
      Options.repeated
    ),
    exportDir: Options.text("export-dir").pipe(
      Options.withPseudoName("PATH"),
      Options.withDescription("Folder downloads go to."),
      Options.optional
    ),
    journalUrl: Options.text("journal-url").pipe(
      Options.withPseudoName("URL"),
      Options.withDescription(
        'Team journal, postgres://user@host:5432/database (no password: PGPASSWORD or ~/.pgpass); "local" for the file on this machine.'
      ),
      Options.optional
    ),
    retentionDays: Options.integer("retention-days").pipe(
      Options.withPseudoName("DAYS"),
      Options.withDescription("Days a downloaded export is kept before `booster files purge` deletes it."),
      Options.optional
    ),
    makeDefault: Options.boolean("default").pipe(Options.withDescription("Make this the default profile."))
  },
  (opts) =>
    Effect.gen(function* () {
      const journalUrl = yield* checkJournalUrl(opts.journalUrl)
      if (Option.isSome(opts.retentionDays) && opts.retentionDays.value < 1) {
        return yield* new ConfigError({
          message: "--retention-days must be a whole number of days, at least 1",
          hint: "Give e.g. --retention-days 30.",
          field: "--retention-days"
        })
      }
      const file = yield* Profiles.load()
      const name = nameOf(file, opts.profile)
      const current: Profiles.Profile = file.profiles[name] ?? {}
      const pick = <A>(o: Option.Option<A>, fallback: A | undefined) => Option.getOrElse(o, () => fallback)
      const headers = Option.map(opts.header, (map) => Object.fromEntries(map))
      const next: Profiles.Profile = Object.fromEntries(
        Object.entries({
          baseUrl: pick(opts.baseUrl, current.baseUrl),
          apiKeyHeader: pick(opts.apiKeyHeader, current.apiKeyHeader),
          apiKeyFile: pick(opts.apiKeyFile, current.apiKeyFile),
          // a new base URL does not inherit the insecure-http opt-out given for the old one
          allowInsecureHttp: opts.allowInsecureHttp
            ? true
            : Option.isSome(opts.baseUrl) && opts.baseUrl.value !== current.baseUrl
              ? undefined
              : current.allowInsecureHttp,
          headers: pick(headers, current.headers),
          brand: pick(opts.brand, current.brand),
          posCodes: opts.posCode.length > 0 ? opts.posCode : current.posCodes,
          exportDir: pick(opts.exportDir, current.exportDir),
          journalUrl: Option.match(journalUrl, {
            onNone: () => current.journalUrl,
            onSome: (url) => (url === "local" ? undefined : url)
          }),
          retentionDays: pick(opts.retentionDays, current.retentionDays)
        }).filter(([, value]) => value !== undefined)
      )
      const isFirst = Object.keys(file.profiles).length === 0
      const path = yield* Profiles.save({
        ...(opts.makeDefault || isFirst
          ? { default: name }
          : file.default !== undefined
            ? { default: file.default }
            : {}),
        profiles: { ...file.profiles, [name]: next }
      })
      yield* Term.err(Term.line`Saved profile ${Term.bold(name)} in ${path}.`)
    })
).pipe(
  Command.withDescription(
    withExamples(
      "Create or update a profile (file mode 0600). API keys come from BOOSTER_API_KEY or a key file, never from a flag value.",
      [
        "booster config set --profile prod --base-url https://booster.example.com/api --default",
        "booster config set --profile prod --api-key-file ~/.config/booster-export/prod.key --brand CAR",
        "booster config set --profile prod --api-key-header X-Api-Key --header x-booster-App=crm",
        "booster config set --profile team --journal-url postgres://booster@db/booster --retention-days 14"
      ]
    )
  )
)

const show = Command.make("show", { json: Common.json, ...Common.settings }, (opts) =>
  Effect.gen(function* () {
    const settings = yield* Common.resolve(opts)
    const view = Profiles.redactedView(settings)
    if (opts.json) return yield* Term.json(view)
    for (const [key, value] of Object.entries(view)) {
      yield* Term.out(
        Term.line`${key.padEnd(18)} ${typeof value === "string" ? value : JSON.stringify(value)}`
      )
    }
  })
).pipe(
  Command.withDescription(
    withExamples("Show the settings a command would use, where each comes from, secrets redacted.", [
      "booster config show",
      "BOOSTER_PROFILE=prod booster config show --json"
    ])
  )
)

const listProfiles = Command.make("list", { json: Common.json }, (opts) =>
  Effect.gen(function* () {
    const file = yield* Profiles.load()
    const names = Object.keys(file.profiles)
    if (opts.json) return yield* Term.json({ default: file.default ?? null, profiles: names })
    if (names.length === 0) return yield* Term.err("No profiles yet; create one with `booster config set`.")
    for (const name of names) yield* Term.out(Term.line`${name === file.default ? "*" : " "} ${name}`)
  })
).pipe(
  Command.withDescription(withExamples("List the profiles; * marks the default.", ["booster config list"]))
)

const remove = Command.make("remove", { name: Args.text({ name: "profile" }) }, (opts) =>
  Effect.gen(function* () {
    const file = yield* Profiles.load()
    if (file.profiles[opts.name] === undefined) {
      return yield* new ConfigError({
        message: `There is no profile named ${opts.name}`,
        hint: "List them with `booster config list`.",
        field: "profile"
      })
    }
    const { [opts.name]: _removed, ...rest } = file.profiles
    yield* Profiles.save({
      ...(file.default !== undefined && file.default !== opts.name ? { default: file.default } : {}),
      profiles: rest
    })
    yield* Term.err(Term.line`Removed profile ${opts.name}.`)
  })
).pipe(Command.withDescription(withExamples("Remove a profile.", ["booster config remove staging"])))

const path = Command.make("path", {}, () => Term.out(Paths.profilesFile())).pipe(
  Command.withDescription(withExamples("Print the path of the profiles file.", ["booster config path"]))
)

/** The `config` command. */
export const configCommand = Command.make("config").pipe(
  Command.withDescription(
    withExamples("Named profiles: base URL, auth settings, default brand and POS codes.", [
      "booster config set --profile prod --base-url https://booster.example.com/api --default",
      "booster config show"
    ])
  ),
  Command.withSubcommands([set, show, listProfiles, remove, path])
)
