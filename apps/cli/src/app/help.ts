/**
 * `--help` for every command in one compact layout, generated from the command tree itself (the
 * @effect/cli declarations of commands, options and arguments, and core's field documentation for
 * the filter flags): a usage line naming the full command, one paragraph, the subcommands, the
 * flags grouped (filter, the command's own, output, connection, global) one line each with the value
 * form and `(required)` / `(repeatable)`, the examples, and the environment variables that apply.
 * Rendered at build time into `dist/help/` and served from there by the launcher.
 */
import { ExportKind } from "@booster-export/core"
import { HelpDoc } from "@effect/cli"
import { type FilterFlag, flagsOf as kindFlagsOf } from "../export/filter-flags.js"
import { uncoloured } from "../output/colour.js"

/** Columns the help is laid out for: a wide terminal. */
export const WIDTH = 100

/** One flag as the help shows it. */
export interface Flag {
  readonly name: string
  readonly aliases: ReadonlyArray<string>
  readonly value: string | undefined
  readonly text: string
  readonly required: boolean
  readonly repeatable: boolean
  /** The one line shown in `--help` when the first sentence of `text` does not fit. */
  readonly short?: string
}

/** The @effect/cli structures the help reads (the shapes of its option, argument and command trees). */
interface Node {
  readonly _tag: string
  readonly [key: string]: unknown
}

const plain = (doc: unknown): string =>
  uncoloured(HelpDoc.toAnsiText(doc as HelpDoc.HelpDoc))
    .replace(/\s+/g, " ")
    .trim()

const firstSentence = (text: string): string => {
  const end = text.search(/(?<!e\.g|i\.e)\.(\s|$)/)
  return end === -1 ? text : text.slice(0, end + 1)
}

const some = (option: unknown): string | undefined => {
  const o = option as { _tag?: string; value?: unknown }
  return o?._tag === "Some" ? String(o.value) : undefined
}

/** The flags of an option tree, with whether each is required and repeatable. */
export const flagsOf = (options: unknown, optional = false, repeatable = false): Array<Flag> => {
  const node = options as Node
  switch (node._tag) {
    case "Single": {
      const type = (node.primitiveType as Node)._tag
      return [
        {
          name: String(node.name),
          aliases: node.aliases as ReadonlyArray<string>,
          value:
            type === "Bool"
              ? undefined
              : (some(node.pseudoName) ?? String(node.placeholder).replace(/^<|>$/g, "").toUpperCase()),
          text: plain(node.description),
          required: !optional && type !== "Bool",
          repeatable
        }
      ]
    }
    case "Map":
      return flagsOf(node.options, optional, repeatable)
    case "Both":
      return [...flagsOf(node.left, optional, repeatable), ...flagsOf(node.right, optional, repeatable)]
    case "OrElse":
      return [...flagsOf(node.left, true, repeatable), ...flagsOf(node.right, true, repeatable)]
    case "WithDefault":
    case "WithFallback":
      return flagsOf(node.options, true, repeatable)
    case "Variadic": {
      const min = some(node.min)
      return flagsOf(node.argumentOption, min === undefined || min === "0", true)
    }
    case "KeyValueMap":
      return flagsOf(node.argumentOption, optional, true)
    default:
      return []
  }
}

/** The positional arguments of an argument tree: `TASK-ID`, `NAME`. */
const argsOf = (args: unknown): Array<{ readonly name: string; readonly text: string }> => {
  const node = args as Node
  switch (node._tag) {
    case "Single":
      return [
        { name: (some(node.pseudoName) ?? String(node.name)).toUpperCase(), text: plain(node.description) }
      ]
    case "Map":
    case "Variadic":
    case "WithDefault":
    case "WithFallbackConfig":
      return argsOf(node.args)
    case "Both":
      return [...argsOf(node.left), ...argsOf(node.right)]
    default:
      return []
  }
}

/** The export kind whose filter flags a command has: `export KIND`'s, customers' for the others. */
const kindOfPath = (path: ReadonlyArray<string>): ExportKind.Any =>
  (path[0] === "export" ? ExportKind.all.find((kind) => kind.name === path[1]) : undefined) ??
  ExportKind.Customer

/** The value form of a filter flag: `DATE`, `MONTH`, `EMAIL`, `LABEL=ID`, `BOOL`… */
const filterValue = (flag: FilterFlag): string => {
  const item = flag.field.kind._tag === "List" ? flag.field.kind.item : flag.field.kind
  if (flag.wire === "birthdateMonths") return "MONTH"
  if (/email/i.test(flag.wire)) return "EMAIL"
  if (/countr/i.test(flag.wire)) return "CC"
  switch (item._tag) {
    case "Choice":
      return item.values.length <= 4 ? item.values.join("|") : "CODE"
    case "Date":
      return "DATE"
    case "Number":
      return "AMOUNT"
    case "Integer":
      return "N"
    case "Boolean":
      return "BOOL"
    case "Record":
      return flag.members.length === 2 ? "LABEL=ID" : "KEY=VALUE,…"
    default:
      return "TEXT"
  }
}

/** One-line forms of core's field descriptions too long for a line of `--help`, by wire field. */
const SHORT: Readonly<Record<string, string>> = {
  canBeContactedByMaison: "Agreed (true) or not (false) to be contacted by the brand.",
  includeConsignmentNotAuthorizedPOS: "Include POS not authorised for consignment stock."
}

/** A filter flag's line: core's description of the field. */
const filterLine = (kind: ExportKind.Any, flag: FilterFlag, declared: Flag | undefined): Flag => ({
  ...(SHORT[flag.wire] !== undefined ? { short: SHORT[flag.wire] } : {}),
  name: flag.flag,
  aliases: declared?.aliases ?? [],
  value: filterValue(flag),
  text: flag.field.doc.description,
  required: kind.filter.required.includes(flag.wire),
  repeatable: flag.repeated
})

const FILTER = new Set([
  ...ExportKind.all.flatMap((kind) => kindFlagsOf(kind).map((f) => f.flag)),
  "filter",
  "filter-file"
])
const OUTPUT = new Set(["output", "download", "overwrite"])
const CONNECTION = new Set(["profile", "base-url", "api-key-file"])
const GLOBAL = new Set(["json", "no-input"])

/** The notes on the value forms of filter flags, each line with the forms it explains. */
const FILTER_NOTES: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
  [["LIST"], "Lists: --pos-code IT100,FR100 or the flag repeated; \\, is a comma inside a value"],
  [
    ["DATE"],
    "DATE: YYYY-MM-DD, today, yesterday, -30d, -2w, -6m, -1y, start-of-month, start-of-year (local)"
  ],
  [
    ["MONTH", "BOOL", "LABEL=ID"],
    "MONTH: 1-12, this, next, +N   BOOL: true|false   LABEL=ID: Watches=CA-1 (\\, and \\= escape)"
  ],
  [["KEY=VALUE,…"], "KEY=VALUE,…: grand=JEW,category=RNG (keys grand, brand, master, category, sub)"]
]

/**
 * The notes on the value forms a page's filter flags take (`LIST` when one repeats), each line cut
 * to the forms present: a stock page has no MONTH.
 */
const filterNotes = (flags: ReadonlyArray<Flag>): Array<string> => {
  const forms = new Set(flags.flatMap((f) => [f.value ?? "", ...(f.repeatable ? ["LIST"] : [])]))
  return FILTER_NOTES.flatMap(([shown, text]) => {
    if (shown.length === 1) return forms.has(shown[0]!) ? [text] : []
    const parts = text.split("   ").filter((part) => forms.has(part.slice(0, part.indexOf(":"))))
    return parts.length > 0 ? [parts.join("   ")] : []
  })
}

/** Words of `text` in lines of at most `width` columns: the first after `first`, the others after `indent`. */
const wrap = (text: string, indent = "", width = WIDTH, first = indent): Array<string> => {
  const lines: Array<string> = []
  let prefix = first
  let line = ""
  for (const word of text.split(" ")) {
    if (line !== "" && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line)
      prefix = indent
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "") lines.push(prefix + line)
  return lines
}

const bold = (text: string) => `\u001b[1m${text}\u001b[0m`

const headOf = (flag: Flag): string => {
  const names = [...flag.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)), `--${flag.name}`]
  const short = names.filter((n) => n.length === 2)
  const long = names.filter((n) => n.length !== 2)
  return `${[...short, long[long.length - 1]].join(", ")}${flag.value !== undefined ? ` ${flag.value}` : ""}`
}

/**
 * The gist of a flag's first sentence in at most `room` columns: the sentence itself, else without
 * its asides in brackets, else its leading clauses (up to a `;`, `,`, `:` or a dash), whole words always.
 */
export const gist = (text: string, room: number): string => {
  const sentence = firstSentence(text)
  if (sentence.length <= room) return sentence
  const bare = sentence.replace(/ \([^()]*\)/g, "")
  if (bare.length <= room) return bare
  const clauses = bare.split(/(?<=[;,:])\s| \u2014 /)
  let kept = ""
  for (const clause of clauses) {
    const next = kept === "" ? clause : `${kept} ${clause}`
    if (next.replace(/[;,:]$/, ".").length > room) break
    kept = next
  }
  if (kept !== "") return kept.replace(/[;,:.]?$/, ".")
  return bare
}

const tagsOf = (flag: Flag): string =>
  flag.required && flag.repeatable
    ? "(required, repeatable)"
    : flag.required
      ? "(required)"
      : flag.repeatable
        ? "(repeatable)"
        : ""

/**
 * Each flag: the names and value form in a column, then the gist of its first sentence and its tags
 * on the same line; with `long`, its whole text wrapped under the column.
 */
const flagLines = (flags: ReadonlyArray<Flag>, column: number, long = false): Array<string> =>
  flags.flatMap((flag) => {
    const head = headOf(flag)
    const start = head.length + 2 > column - 2 ? `  ${head}  ` : `  ${head.padEnd(column - 2)}`
    const tags = tagsOf(flag)
    const suffix = tags === "" ? "" : ` ${tags}`
    if (!long)
      return [`${start}${gist(flag.short ?? flag.text, WIDTH - start.length - suffix.length)}${suffix}`]
    const indent = " ".repeat(column)
    const text = `${flag.text}${suffix}`
    // names longer than the column get a line of their own
    return start.length > column ? [`  ${head}`, ...wrap(text, indent)] : wrap(text, indent, WIDTH, start)
  })

/**
 * A command line of an example, continued on indented lines ending with ` \\` when too long, never
 * inside a quoted word.
 */
const commandLines = (command: string): Array<string> => {
  const words = command.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []
  const lines: Array<string> = []
  let line = `  ${words[0] ?? ""}`
  for (const word of words.slice(1)) {
    if (line.length + 1 + word.length > WIDTH - 2) {
      lines.push(`${line} \\`)
      line = `      ${word}`
    } else line = `${line} ${word}`
  }
  return [...lines, line]
}

/** What a command's description holds: its paragraphs, and sections such as EXAMPLES. */
const sectionsOf = (
  doc: unknown
): { readonly about: Array<string>; readonly sections: Array<[string, Array<string>]> } => {
  const about: Array<string> = []
  const sections: Array<[string, Array<string>]> = []
  const visit = (node: Node) => {
    if (node._tag === "Sequence") {
      visit(node.left as Node)
      visit(node.right as Node)
    } else if (node._tag === "Header") sections.push([plain(node), []])
    else if (node._tag === "Paragraph") {
      const text = uncoloured(HelpDoc.toAnsiText(node as unknown as HelpDoc.HelpDoc)).replace(/\n+$/, "")
      const current = sections[sections.length - 1]
      if (current === undefined) about.push(plain(node))
      else current[1].push(text)
    }
  }
  visit(doc as Node)
  return { about, sections }
}

/** A command's description: one paragraph, then its examples (one command line each). */
export const withExamples = (text: string, examples: ReadonlyArray<string>): HelpDoc.HelpDoc =>
  HelpDoc.blocks([
    HelpDoc.p(text),
    HelpDoc.h1("EXAMPLES"),
    HelpDoc.blocks(examples.map((e) => HelpDoc.p(`  ${e}`)))
  ])

/** A command tree: an @effect/cli `Command` (its `descriptor` is read). */
export interface Root {
  readonly descriptor: unknown
}

/** A command found in the tree: its path, descriptor and subcommands. */
export interface Entry {
  readonly path: ReadonlyArray<string>
  readonly standard: Node
  readonly children: ReadonlyArray<Node>
}

/** The command itself of a tree node (under its subcommands and mappings). */
export const standardOf = (node: Node): Node =>
  node._tag === "Subcommands"
    ? standardOf(node.parent as Node)
    : node._tag === "Map"
      ? standardOf(node.command as Node)
      : node

const childrenOf = (node: Node): ReadonlyArray<Node> =>
  node._tag === "Subcommands"
    ? (node.children as ReadonlyArray<Node>)
    : node._tag === "Map"
      ? childrenOf(node.command as Node)
      : []

/** Every command of the tree, the root first. */
export const entries = (root: Root): Array<Entry> => {
  const out: Array<Entry> = []
  const visit = (node: Node, path: ReadonlyArray<string>) => {
    const children = childrenOf(node)
    out.push({ path, standard: standardOf(node), children })
    for (const child of children) visit(child, [...path, String(standardOf(child).name)])
  }
  visit(root.descriptor as Node, [])
  return out
}

/** The environment variables a command reads, from the flags it has. */
const environmentOf = (path: ReadonlyArray<string>, names: ReadonlySet<string>): Array<string> => {
  const vars: Array<string> = []
  if (names.has("base-url")) {
    vars.push(
      "BOOSTER_BASE_URL",
      "BOOSTER_API_KEY (or _FILE; header: BOOSTER_API_KEY_HEADER)",
      "BOOSTER_PROFILE"
    )
  }
  if (names.has("download") || names.has("output")) vars.push("BOOSTER_EXPORT_DIR")
  if (["export", "filters", "tasks", "history"].includes(path[0] ?? ""))
    vars.push("TZ (dates shown and resolved)")
  if (path[0] === "config" || path[0] === "filters") vars.push("XDG_CONFIG_HOME")
  if (["export", "history", "tasks"].includes(path[0] ?? "")) vars.push("XDG_STATE_HOME (journal)")
  vars.push("BOOSTER_LOG", "NO_COLOR")
  return vars
}

/**
 * Renders one command's help (with ANSI bold headings; strip them for a plain terminal): one line
 * per flag, or with `long` every flag's whole description.
 */
export const render = (root: Root, path: ReadonlyArray<string>, long = false): string | undefined => {
  const all = entries(root)
  const entry = all.find((e) => e.path.join(" ") === path.join(" "))
  if (entry === undefined) return undefined
  const full = ["booster", ...path].join(" ")
  const flags = flagsOf(entry.standard.options)
  const args = argsOf(entry.standard.args)
  const { about, sections } = sectionsOf(entry.standard.description)
  const lines: Array<string> = []
  const section = (title: string, body: ReadonlyArray<string>) => {
    if (body.length === 0) return
    lines.push("", bold(title), ...body)
  }
  // `booster export [KIND]`: the customer export, or a kind's, each with a page of its own
  const kinds = path.length === 1 && path[0] === "export"
  const usage = kinds
    ? `${full} [KIND] [flags]`
    : entry.children.length > 0
      ? `${full} <command> [flags]`
      : `${full}${args.map((a) => ` ${a.name}`).join("")}${flags.length > 0 ? " [flags]" : ""}`
  lines.push(`${bold("Usage:")} ${usage}`, "")
  lines.push(...wrap(about[0] ?? ""))
  if (entry.children.length > 0 && !kinds) {
    const names = entry.children.map((child) => String(standardOf(child).name))
    const width = Math.max(...names.map((n) => n.length)) + 2
    section(
      "COMMANDS",
      entry.children.flatMap((child, i) => {
        const summary = firstSentence(sectionsOf(standardOf(child).description).about[0] ?? "")
        return wrap(summary, " ".repeat(width + 2)).map((line, n) =>
          n === 0 ? `  ${names[i]!.padEnd(width)}${line.trimStart()}` : line
        )
      })
    )
  }
  if (args.length > 0) {
    const width = Math.max(...args.map((a) => a.name.length)) + 2
    section(
      "ARGUMENTS",
      args.flatMap((a) =>
        wrap(firstSentence(a.text), " ".repeat(width + 2), WIDTH, `  ${a.name.padEnd(width)}`)
      )
    )
  }
  const global: Array<Flag> = [
    ...flags.filter((f) => GLOBAL.has(f.name)),
    {
      name: "help",
      aliases: ["h"],
      value: undefined,
      text:
        long || flags.length === 0
          ? `Show this help (also: booster help${path.length > 0 ? ` ${path.join(" ")}` : ""}).`
          : `Show this help; each flag in full: ${["booster", "help", ...path, "--long"].join(" ")}.`,
      required: false,
      repeatable: false
    },
    ...(path.length === 0
      ? [
          {
            name: "version",
            aliases: [],
            value: undefined,
            text: "Print the version.",
            required: false,
            repeatable: false
          },
          {
            name: "completions",
            aliases: [],
            value: "bash|zsh|fish|sh",
            text: "Print a shell completion script.",
            required: false,
            repeatable: false
          }
        ]
      : [])
  ]
  const byName = new Map(flags.map((f) => [f.name, f]))
  // a command taking the whole filter shows its flags with core's descriptions; one that takes a few
  // of the same names (`config set --brand`) shows them as its own
  const kind = kindOfPath(path)
  const derived = kindFlagsOf(kind).every((f) => byName.has(f.flag))
  const filterLines = derived ? kindFlagsOf(kind).map((f) => filterLine(kind, f, byName.get(f.flag))) : []
  const shownFlags = [...flags, ...filterLines]
  const column = Math.min(32, Math.max(14, ...shownFlags.map((f) => headOf(f).length + 4)))
  const filter = [...filterLines, ...flags.filter((f) => f.name === "filter" || f.name === "filter-file")]
  if (filter.length > 0)
    section("FILTER FLAGS", [
      ...filterNotes(filterLines).flatMap((note) => wrap(note, "    ", WIDTH, "  ")),
      ...flagLines(filter, column, long)
    ])
  const own = flags.filter(
    (f) =>
      !(derived && FILTER.has(f.name)) &&
      !OUTPUT.has(f.name) &&
      !CONNECTION.has(f.name) &&
      !GLOBAL.has(f.name)
  )
  if (path[0] === "export" && path.length === 2 && !long) {
    // one kind's page: the flags every kind shares are named, described once by `booster export
    // --help`; a flag's names and value form stay on one line
    const heads = [...own, ...flags.filter((f) => OUTPUT.has(f.name) || CONNECTION.has(f.name))].map(
      (f, i, all) => `${headOf(f)}${i === all.length - 1 ? "." : ","}`
    )
    const named: Array<string> = []
    for (const head of heads) {
      const last = named.length - 1
      if (last >= 0 && named[last]!.length + 1 + head.length <= WIDTH) named[last] += ` ${head}`
      else named.push(`  ${head}`)
    }
    section("FLAGS (as for every kind: booster export --help)", named)
  } else {
    section("FLAGS", flagLines(own, column, long))
    section(
      "OUTPUT FLAGS",
      flagLines(
        flags.filter((f) => OUTPUT.has(f.name)),
        column,
        long
      )
    )
    section(
      "CONNECTION FLAGS",
      flagLines(
        flags.filter((f) => CONNECTION.has(f.name)),
        column,
        long
      )
    )
  }
  section("GLOBAL FLAGS", flagLines(global, column, long))
  const examples = sections.find(([title]) => title === "EXAMPLES")?.[1] ?? []
  section(
    "EXAMPLES",
    examples.flatMap((e) => commandLines(e.trim()))
  )
  for (const [title, body] of sections) {
    if (title !== "EXAMPLES")
      section(
        title,
        body.flatMap((p) => (p.startsWith("  ") ? [p] : wrap(p, "  ")))
      )
  }
  if (!sections.some(([title]) => title === "ENVIRONMENT")) {
    section("ENVIRONMENT", wrap(environmentOf(path, new Set(flags.map((f) => f.name))).join(", "), "  "))
  }
  return `${lines.join("\n")}\n`
}

/** The command paths that have a help page, for the build. */
export const paths = (root: Root): Array<ReadonlyArray<string>> => entries(root).map((e) => e.path)

/**
 * Which help page the arguments ask for, if any: `help [COMMAND…]`, or `--help`/`-h` after command
 * words (`--long` asks for the page with every flag's whole description).
 */
export const requested = (args: ReadonlyArray<string>): ReadonlyArray<string> | undefined => {
  if (args[0] === "help") return args.slice(1).filter((arg) => arg !== "--long")
  if (args.length === 0) return []
  if (!args.includes("--help") && !args.includes("-h")) return undefined
  const words: Array<string> = []
  for (const arg of args) {
    if (!/^[a-z]+(-[a-z]+)*$/.test(arg)) break
    words.push(arg)
  }
  return words
}

/** The help page for command words, using the longest prefix that names a command; `undefined` when none does. */
export const page = (root: Root, words: ReadonlyArray<string>, long = false): string | undefined => {
  for (let n = words.length; n >= 0; n--) {
    const text = render(root, words.slice(0, n), long)
    if (text !== undefined) return text
  }
  return undefined
}
