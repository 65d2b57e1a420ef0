/**
 * `booster export [KIND]`: build a filter of the export kind (customers when none is named) from
 * flags derived from the kind's fields (and a filter file and profile defaults), validate it, show
 * what would be sent (`--dry-run`) or confirm and start the export, then optionally follow it
 * (`--wait`) and download its file (`--output`, `--download`).
 */

import { dirname } from "node:path"
import { ExportKind, Fingerprint, type Task } from "@booster-export/core"
import { GuardedStart, Journal, Purpose } from "@booster-export/journal"
import { FingerprintKey } from "@booster-export/transport"
import { Command, HelpDoc, Options, Prompt } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import * as Common from "../config/options.js"
import * as CliJournal from "../journal/journal.js"
import { DeclinedError, DuplicateExportError, JournalUnwritableError, UsageError } from "../output/errors.js"
import * as Term from "../output/terminal.js"
import * as Follow from "../tasks/follow.js"
import * as Stdout from "../tasks/stdout.js"
import * as DryRun from "./dry-run.js"
import { flagOf } from "./filter-flags.js"
import { filterFileOption, filterOptionsOf, savedFilterOption } from "./filter-options.js"
import * as Request from "./request.js"

const optionsOf = (kind: ExportKind.Any) => ({
  filter: filterOptionsOf(kind),
  savedFilter: savedFilterOption,
  filterFile: filterFileOption,
  downloadRequestId: Options.text("download-request-id").pipe(
    Options.withPseudoName("ID"),
    Options.withDescription("Your own id for this request (default: a new UUID)."),
    Options.optional
  ),
  purpose: Options.text("purpose").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription(
      `Why this export is needed, recorded in the journal's audit trail, e.g. a ticket number: ${Purpose.RULE} (else exit 2, nothing sent). Erasable with \`booster audit redact\`.`
    ),
    Options.optional
  ),
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription(
      "Validate and print the request that would be sent (secrets redacted, personal values shown as <personal value, not shown>); send nothing."
    )
  ),
  showPersonal: Options.boolean("show-personal").pipe(
    Options.withDescription(
      "With --dry-run, show the personal values (email, phone, search key…) in the request."
    )
  ),
  yes: Options.boolean("yes").pipe(
    Options.withAlias("y"),
    Options.withDescription("Start without asking for confirmation.")
  ),
  noInput: Common.noInput,
  wait: Options.boolean("wait").pipe(
    Options.withDescription("Follow the task until it ends, showing progress on stderr.")
  ),
  output: Options.text("output").pipe(
    Options.withPseudoName("PATH"),
    Options.withAlias("o"),
    Options.withDescription("Download the file to this path or folder, or - for stdout (implies --wait)."),
    Options.optional
  ),
  download: Options.boolean("download").pipe(
    Options.withDescription(
      "Download the file into the export folder (BOOSTER_EXPORT_DIR, the profile's, or the current folder); implies --wait."
    )
  ),
  overwrite: Options.boolean("overwrite").pipe(
    Options.withDescription("Replace an existing file at the destination.")
  ),
  timeout: Options.integer("timeout").pipe(
    Options.withPseudoName("SECONDS"),
    Options.withDescription("Stop waiting after this many seconds (exit 5; the task keeps running)."),
    Options.optional
  ),
  force: Options.boolean("force").pipe(
    Options.withDescription(
      "Start even if the same filter was started in the last 24 hours, or when the local journal cannot be written (then without duplicate protection, said on stderr)."
    )
  ),
  reuse: Options.boolean("reuse").pipe(
    Options.withDescription("Follow the task of the same filter started in the last 24 hours, if any.")
  ),
  json: Common.json,
  ...Common.settings
})

type ExportOptions = Command.Command.ParseConfig<ReturnType<typeof optionsOf>>

/** The filter's sources as the command line gives them. */
const requestInputOf = (kind: ExportKind.Any, opts: ExportOptions): Request.RequestInput => ({
  kind,
  savedFilter: Option.getOrUndefined(opts.savedFilter),
  filterFile: Option.getOrUndefined(opts.filterFile),
  downloadRequestId: Option.getOrUndefined(opts.downloadRequestId),
  texts: opts.filter
})

/** What a dry run is given, from the parsed options. */
const dryRunInputOf = (kind: ExportKind.Any, opts: ExportOptions): DryRun.Input => ({
  ...requestInputOf(kind, opts),
  settings: {
    profile: Option.getOrUndefined(opts.profile),
    baseUrl: Option.getOrUndefined(opts.baseUrl),
    apiKeyFile: Option.getOrUndefined(opts.apiKeyFile)
  },
  showPersonal: opts.showPersonal,
  json: opts.json
})

/** The tasks the journal knows from the duplicate window: never adopted when a lost start is reconciled. */
const knownTasks = Effect.suspend(() => Journal.knownTaskIds(DUPLICATE_WINDOW_MS))

const confirm = (description: string) =>
  Effect.gen(function* () {
    yield* Term.err(Term.line`${Term.bold("About to export:")} ${description}`)
    const answer = yield* Prompt.confirm({ message: "Start this export?", initial: false })
    if (!answer) {
      return yield* new DeclinedError({ message: "The export was not started", hint: "Nothing was sent." })
    }
  })

/** How long a start of the same filter is flagged as a duplicate: 24 hours. */
const DUPLICATE_WINDOW_MS = 24 * 60 * 60 * 1000

/** Asks what to do with a recent start of the same filter; "Stop" declines. */
const duplicateChoice = ({ entry }: GuardedStart.Earlier) =>
  Prompt.select({
    message: Term.line`The same filter was exported at ${entry.at} (task ${entry.asyncTaskId}). What now?`
      .text,
    choices: [
      { title: "Follow the existing task", value: "reuse" as const },
      { title: "Start a new export anyway", value: "start" as const },
      { title: "Stop", value: "stop" as const }
    ]
  }).pipe(
    Effect.flatMap((choice) =>
      choice === "stop"
        ? Effect.fail(new DeclinedError({ message: "The export was not started", hint: "Nothing was sent." }))
        : Effect.succeed(choice)
    )
  )

/** The refusal of a start whose local journal or fingerprint key cannot be written. */
const unwritable = (what: string, path: string, code: string) =>
  new JournalUnwritableError({
    message: `Nothing was sent: ${what}. Without the journal this start could not be checked against a duplicate nor recorded`,
    hint: `Free space on that disk or make ${dirname(path)} writable by this user (or set XDG_STATE_HOME to a writable folder). --force sends anyway, without duplicate protection.`,
    path,
    code
  })

/** Why no question could be asked: --json, --no-input, or no terminal. */
const noQuestion = (opts: Pick<ExportOptions, "json" | "noInput">): string =>
  opts.json ? "--json was given" : opts.noInput ? "--no-input was given" : "there is no terminal to ask on"

/**
 * The refusal of a start nobody confirmed: off a terminal an export of any kind needs --yes (one
 * rule for every kind: each starts work on the API, and a script written for one kind behaves the
 * same with another).
 */
const unconfirmed = (kind: ExportKind.Any, opts: Pick<ExportOptions, "json" | "noInput">) =>
  new UsageError({
    message: `Nothing was sent: an export of ${kind.personalData.carries ? `${kind.label} (personal data)` : kind.label} starts only when confirmed, and ${noQuestion(opts)}`,
    hint: "Check it with --dry-run, then run the same command with --yes to start it."
  })

const handler = (kind: ExportKind.Any, opts: ExportOptions) =>
  Effect.gen(function* () {
    // the purpose is checked first: no personal data reaches the journal, and nothing is sent
    const purpose = yield* Purpose.validate(Option.getOrUndefined(opts.purpose))
    const settings = yield* Common.resolve(opts)
    const { filter, downloadRequestId } = yield* Request.build(requestInputOf(kind, opts), {
      brand: settings.brand,
      posCodes: settings.posCodes
    })
    const description = kind.describe(filter)
    const output = Option.getOrUndefined(opts.output)
    const wantsFile = output !== undefined || opts.download
    // where the file goes is checked before anything is sent: a refusal after the export ran
    // would leave a finished export nobody downloads
    const toStdout = Stdout.isStdout(output)
    yield* Stdout.check(output, opts.json)
    if (wantsFile && !toStdout) {
      yield* Follow.checkDestination(Follow.destinationOf(output, settings), opts.overwrite)
    }
    const interactive = Term.canPrompt() && !opts.noInput && !opts.json
    // an export starts only when someone said so: on a terminal by answering the question,
    // elsewhere (a script, --json, --no-input) by --yes
    if (!opts.yes && !interactive) return yield* unconfirmed(kind, opts)
    /** Why this start runs without the journal's guard (only with --force), if it does. */
    let unguarded: string | undefined
    const loaded = yield* Effect.either(FingerprintKey.load())
    if (Either.isLeft(loaded)) {
      const error = loaded.left
      // the per-install key beside the journal cannot be created: the local state is unwritable
      if (error.field !== "XDG_STATE_HOME" || error.path === undefined || error.code === undefined) {
        return yield* error
      }
      if (!opts.force) return yield* unwritable(error.message, error.path, error.code)
      unguarded = error.message
    }
    const fingerprintKey = Either.isRight(loaded)
      ? loaded.right.key
      : Fingerprint.key(crypto.getRandomValues(new Uint8Array(Fingerprint.KEY_BYTES)))
    const fingerprint = ExportKind.fingerprint(kind, fingerprintKey, filter)
    const client = yield* Common.client(settings, { fingerprintKey })
    const host = Journal.hostOf(settings.baseUrl)
    const request = {
      source: "cli",
      kind: kind.name,
      fingerprint,
      host,
      downloadRequestId,
      brand: String(filter.brand),
      description,
      purpose,
      start: (requestId: string) =>
        Effect.flatMap(knownTasks, (exclude) =>
          client.startExport(kind, filter, { downloadRequestId: requestId, exclude })
        )
    }
    const announce =
      interactive && !opts.yes
        ? confirm(description)
        : opts.json
          ? Effect.void
          : Term.err(Term.line`${Term.bold("Exporting:")} ${description}`)
    // the journal's guard (see GuardedStart): a repeat of the last 24 hours is refused, followed
    // (--reuse) or asked about (on a terminal); one that ended in error lets a new start through
    const outcome =
      unguarded !== undefined
        ? yield* Effect.zipRight(announce, GuardedStart.unguarded(request, unguarded))
        : yield* GuardedStart.run({
            ...request,
            duplicateWindowMs: DUPLICATE_WINDOW_MS,
            force: opts.force,
            taskStatus: (id) =>
              client.getTask(id).pipe(
                Effect.map((task): Task.Task | undefined => task),
                Effect.catchTag("NotFoundError", () => Effect.succeed(undefined))
              ),
            onDuplicate: opts.reuse ? "reuse" : interactive ? duplicateChoice : "refuse",
            // a local journal that cannot be written is sent past only with --force; a team
            // database fails closed, even with --force
            onUnwritableJournal: opts.force ? "send-unguarded" : "refuse",
            confirm: announce
          }).pipe(
            Effect.catchTag("JournalError", (error) =>
              Effect.fail(
                settings.journalUrl === undefined && error.path !== undefined && error.code !== undefined
                  ? unwritable(error.message, error.path, error.code)
                  : error
              )
            )
          )
    let started: {
      asyncTaskId: string
      downloadRequestId: string
      fingerprint: string
      kind: string
      reconciliation?: { readonly by: string; readonly candidates: number }
    }
    switch (outcome._tag) {
      case "Refused": {
        const { entry, meanwhile } = outcome
        return yield* new DuplicateExportError({
          message:
            Term.line`The same filter was exported at ${entry.at} as task ${entry.asyncTaskId}${meanwhile ? ", by another process while this one was getting ready" : ""}; starting it again would export the same ${kind.label} twice`
              .text,
          hint: Term.line`Follow that task with \`booster tasks wait ${entry.asyncTaskId}\`, pass --reuse to follow it here, or --force to start a new export.`
            .text,
          asyncTaskId: entry.asyncTaskId,
          fingerprint,
          startedAt: entry.at
        })
      }
      case "Reused": {
        const { entry } = outcome
        if (!opts.json) yield* Term.err(Term.line`Following the existing task ${entry.asyncTaskId}.`)
        started = {
          asyncTaskId: entry.asyncTaskId,
          downloadRequestId: entry.downloadRequestId ?? "",
          fingerprint,
          kind: kind.name
        }
        break
      }
      case "Started": {
        const { asyncTaskId, downloadRequestId: requestId, fingerprint: sent } = outcome.started
        if (outcome.unguarded !== undefined) {
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: ${outcome.unguarded}; started anyway (--force) with duplicate protection off: a repeated start of this filter will not be recognised.`
            )
          )
        } else if (outcome.unrecorded !== undefined) {
          yield* Term.err(
            Term.yellow(
              Term.line`Warning: task ${asyncTaskId} started but was not recorded (${outcome.unrecorded.message}); a repeated start of this filter will not be recognised.`
            )
          )
        }
        const reconciliation = outcome.started.reconciliation
        started = {
          asyncTaskId,
          downloadRequestId: requestId,
          fingerprint: sent,
          kind: kind.name,
          ...(reconciliation !== undefined ? { reconciliation } : {})
        }
        if (reconciliation?.by === "time-window") {
          yield* Term.err(
            Term.yellow(
              Term.line`The answer to the start was lost; task ${asyncTaskId} was found by brand and time window only (the task type of ${kind.label} exports is not known; ${String(reconciliation.candidates)} candidate). Check it with \`booster tasks get ${asyncTaskId}\`.`
            )
          )
        }
        if (!opts.json)
          yield* Term.err(Term.line`Started task ${Term.bold(asyncTaskId)} (request ${requestId}).`)
      }
    }
    if (!opts.wait && !wantsFile) {
      if (opts.json) return yield* Term.json(started)
      yield* Term.out(started.asyncTaskId)
      return yield* Term.err(
        Term.dim(Term.line`Follow it with \`booster tasks wait ${started.asyncTaskId}\`.`)
      )
    }
    const task = yield* Follow.follow(client, started.asyncTaskId, {
      quiet: opts.json,
      host,
      output,
      download: opts.download,
      overwrite: opts.overwrite,
      kind: kind.name,
      timeoutMs: Option.getOrUndefined(Option.map(opts.timeout, (s) => s * 1000))
    })
    if (!wantsFile) {
      if (opts.json) return yield* Term.json({ ...started, task })
      yield* Term.out(started.asyncTaskId)
      return yield* Term.err(
        Term.line`Task ${started.asyncTaskId} completed${task.totalResults !== undefined ? ` with ${task.totalResults} rows` : ""}.`
      )
    }
    if (toStdout) {
      const delivered = yield* Stdout.deliver(client, task, { host, kind: kind.name })
      return yield* Term.err(Term.green(Stdout.summary(delivered)))
    }
    const file = yield* Follow.download(client, task, Follow.destinationOf(output, settings), {
      overwrite: opts.overwrite,
      host,
      retentionDays: settings.retentionDays
    })
    if (opts.json) return yield* Term.json({ ...started, task, file })
    yield* Term.out(file.path)
    return yield* Term.err(Term.green(Follow.downloadSummary(file)))
  })

/** Examples of each kind's help: the customer ones, and two built from the kind's own fields. */
const examplesOf = (kind: ExportKind.Any): ReadonlyArray<string> => {
  if (kind.name === ExportKind.Customer.name) {
    return [
      "booster export --brand CAR --pos-code ES100 --pos-code IT200 --dry-run",
      "booster export --filter recent-clients --creation-date-from -30d --yes --output customers.csv",
      "booster export --brand CAR --pos-code ES100 --interest Watches=CA-1 --wait --json",
      "booster export --filter-file filter.json --product-category grand=JEW,category=RNG --dry-run"
    ]
  }
  const dated = kind.filter.fields.dateFrom !== undefined ? " --date-from -30d" : ""
  return [
    `booster export ${kind.name} --brand CAR --pos-code ES100${dated} --dry-run`,
    `booster export ${kind.name} --brand CAR --pos-code ES100${dated} --yes --output ${kind.name}.csv`
  ]
}

/** The help of one kind's command: one paragraph and examples. */
const descriptionOf = (kind: ExportKind.Any, name: string) =>
  HelpDoc.blocks([
    HelpDoc.p(
      name === "export"
        ? "Export customers or KIND (stock, movements, sell-out, invoices, orders: see their --help), validated, confirmed on a terminal, started only with --yes elsewhere, not twice a day by accident."
        : `Export ${kind.label}: ${kind.personalData.carries ? "its file carries personal data" : "no personal data is known in its file"} (${kind.operation}). One filter flag per field of its filter, validated before anything is sent; confirmed on a terminal, started only with --yes elsewhere, never twice by accident: as every export.`
    ),
    HelpDoc.h1("EXAMPLES"),
    HelpDoc.blocks(examplesOf(kind).map((example) => HelpDoc.p(`  ${example}`)))
  ])

/**
 * Runs one kind's export: a dry run uses no journal (it is the same code the launcher's fast path
 * runs); a start runs with the journal.
 */
const run = (kind: ExportKind.Any, opts: ExportOptions) =>
  opts.dryRun
    ? DryRun.run(dryRunInputOf(kind, opts))
    : handler(kind, opts).pipe(Effect.provide(CliJournal.fromOptions(opts)))

/** The export command of one kind, named `name`. */
const commandOf = (kind: ExportKind.Any, name: string) =>
  Command.make(name, optionsOf(kind), (opts) => run(kind, opts)).pipe(
    Command.withDescription(descriptionOf(kind, name))
  )

/** `booster export` alone: the customer export. */
const customers = commandOf(ExportKind.Customer, "export")

/**
 * A kind's command. A flag that is not the kind's would be taken by `booster export` (the customer
 * export) and silently ignored: it is refused instead.
 */
const kindCommandOf = (kind: ExportKind.Any) =>
  Command.make(kind.name, optionsOf(kind), (opts) =>
    Effect.gen(function* () {
      const parent = yield* customers
      const foreign = Object.entries(parent.filter)
        .filter(([, values]) => values.length > 0)
        .map(([wire]) => `--${flagOf(wire)?.flag ?? wire}`)
      if (foreign.length > 0) {
        return yield* new UsageError({
          message: `${foreign.join(", ")} ${foreign.length === 1 ? "is not a filter flag" : "are not filter flags"} of ${kind.name} exports`,
          hint: `See \`booster export ${kind.name} --help\` for its filter flags.`
        })
      }
      return yield* run(kind, opts)
    })
  ).pipe(Command.withDescription(descriptionOf(kind, kind.name)))

/**
 * The `export` command: the customer export, and one subcommand per kind
 * (`booster export stock …`, `booster export customers …`).
 */
export const exportCommand = customers.pipe(
  Command.withSubcommands([
    kindCommandOf(ExportKind.Customer),
    ...ExportKind.all.filter((kind) => kind !== ExportKind.Customer).map(kindCommandOf)
  ])
)
