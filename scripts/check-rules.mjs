#!/usr/bin/env node
// The safety rules have one home each, and CI fails on a copy elsewhere:
//
// - foreign-text cleaning (control characters, escape sequences, bidirectional and invisible
//   characters): packages/transport/src/Scrub.ts;
// - credential-header redaction and URL redaction: packages/transport/src/Redact.ts;
// - transport's sources never import @booster-export/journal (the journal depends on transport,
//   not the other way round).
//
// It looks, in apps/*/src and packages/*/src, for the tell-tales of a copy: a regular expression
// over control, bidirectional or invisible characters used to replace text (a detector that only
// refuses such text, `.test`, is no copy); the names and regular expressions of header redactors
// (`isCredentialHeader`, `/token|secret/`, a `proxy-authorization` list); the names and shapes of URL
// redactors (`redactUrl`, a regular expression over `https?://…[?#]`, `?<redacted>`, clearing a URL's
// user name and password). Comments are not read.
//
//   node scripts/check-rules.mjs              check this repository (exit 1 naming each copy)
//   node scripts/check-rules.mjs --root DIR   check another tree
//   node scripts/check-rules.mjs --self-test  plant a copy of each rule in a temporary tree and
//                                              check that every one is found (and nothing else)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"

/** Where each rule lives. */
const OWNERS = {
  control: ["packages/transport/src/Scrub.ts"],
  header: ["packages/transport/src/Redact.ts"],
  url: ["packages/transport/src/Redact.ts"]
}

/** Files allowed to keep a look-alike, and why. */
const ALLOWED = [
  {
    file: "apps/cli/src/output/colour.ts",
    rules: ["control"],
    reason:
      "takes the program's own colour codes (ESC [ … m) off its own help and messages when colour is off; " +
      "foreign text is cleaned by Scrub before it is printed"
  },
  {
    file: "packages/sandbox/src/internal/server.ts",
    rules: ["header", "url"],
    reason:
      "the sandbox is a test double recording the requests it received; transport is tested against it, " +
      "so it cannot depend on transport's Redact"
  }
]

const RULE_NAMES = {
  control: "control-character stripper (belongs in packages/transport/src/Scrub.ts)",
  header: "credential-header redactor (belongs in packages/transport/src/Redact.ts)",
  url: "URL redactor (belongs in packages/transport/src/Redact.ts)",
  journal: "transport importing @booster-export/journal (the journal depends on transport)"
}

const SOURCE = /\.(?:ts|mts|cts|tsx|js|mjs|cjs)$/

/** Source files under apps/*\/src and packages/*\/src, relative to `root`, with `/` separators. */
const sourcesOf = (root) =>
  ["apps", "packages"].flatMap((group) => {
    let members = []
    try {
      members = readdirSync(join(root, group), { withFileTypes: true }).filter((entry) => entry.isDirectory())
    } catch {
      return []
    }
    return members.flatMap((member) => {
      const src = join(root, group, member.name, "src")
      let files = []
      try {
        files = readdirSync(src, { recursive: true, encoding: "utf8" })
      } catch {
        return []
      }
      return files
        .filter((file) => SOURCE.test(file) && !file.split(sep).includes("node_modules"))
        .map((file) => relative(root, join(src, file)).split(sep).join("/"))
    })
  })

/** The code without comments (block comments and whole-line `//` comments), line numbers kept. */
const withoutComments = (code) =>
  code
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "))
    .replace(/^[ \t]*\/\/.*$/gm, "")

/** Regular-expression literals and `new RegExp("…")` sources, with their offsets. */
const regexesOf = (code) => {
  const found = []
  const literal =
    /(^|[=(,:!&|?{};[\s]|\breturn|\btypeof)\s*\/((?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])+)\/([dgimsuvy]*)/gm
  for (const match of code.matchAll(literal)) {
    found.push({ body: match[2], index: match.index + match[0].indexOf("/") })
  }
  for (const match of code.matchAll(/new\s+RegExp\(\s*(["'`])((?:\\.|(?!\1)[^\\])*)\1/g)) {
    found.push({ body: match[2], index: match.index })
  }
  return found
}

// A control, bidirectional or invisible character, escaped or raw, or a Unicode property naming them.
const CONTROL_ESCAPE =
  /\\u00[01][0-9a-f]|\\u007f|\\u00[89][0-9a-f]|\\x[01][0-9a-f]|\\x7f|\\x[89][0-9a-f]|\\u00ad|\\u061c|\\u180e|\\u200[b-f]|\\u202[89a-e]|\\u20[6][0-9a-f]|\\ufeff|\\u\{e00|\\u\{1b\}|\\e|\\c\[|\\p\{(?:C|Cc|Cf|Bidi_Control|Default_Ignorable_Code_Point)\}|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/i
const CREDENTIAL_WORD = /\b(?:key|token|secret|password|passwd|session|signature|cookie|auth)\b/gi
const HEADER_NAMES =
  /\b(?:const|let|var|function)\s+(isCredentialHeader|CREDENTIAL_HEADERS|CREDENTIAL_PARTS|SECRET_HEADERS|redactHeaders|credentialHeaders)\b/
const URL_NAMES =
  /\b(?:const|let|var|function)\s+(redactUrl|redactedUrl|signedUrl|urlQueries|URL_QUERY|redactPath|urlsInText|stripUserInfo)\b/

const lineOf = (code, index) => code.slice(0, index).split("\n").length

/** The copies of a rule in one file: `{ rule, line, text }`. */
export const copiesIn = (file, source) => {
  const code = withoutComments(source)
  const lines = source.split("\n")
  const copies = []
  const add = (rule, index) => {
    const line = lineOf(code, index)
    copies.push({ rule, line, text: (lines[line - 1] ?? "").trim().slice(0, 120) })
  }

  for (const { body, index } of regexesOf(code)) {
    if (CONTROL_ESCAPE.test(body)) {
      // a stripper replaces with it: inline (`.replace(/…/`) or through the name it is bound to
      const before = code.slice(Math.max(0, index - 20), index)
      const bound = /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:new\s+RegExp\(\s*)?$/.exec(
        code.slice(Math.max(0, index - 80), index)
      )
      const replacing =
        /\.(?:replace|replaceAll|split)\(\s*$/.test(before) ||
        (bound !== null &&
          new RegExp(`\\.(?:replace|replaceAll|split)\\(\\s*${bound[1].replace(/\$/g, "\\$")}\\b`).test(code))
      if (replacing) add("control", index)
    }
    const words = new Set((body.match(CREDENTIAL_WORD) ?? []).map((word) => word.toLowerCase()))
    if (words.size >= 2 && body.includes("|")) add("header", index)
    if (/(?:https\?|:)\\?\/\\?\//.test(body) && /\[\?#\]|\[#\?\]|\\\?/.test(body)) add("url", index)
  }

  for (const match of code.matchAll(new RegExp(HEADER_NAMES.source, "g"))) add("header", match.index)
  for (const match of code.matchAll(/["'`]proxy-authorization["'`]/gi)) add("header", match.index)
  for (const match of code.matchAll(new RegExp(URL_NAMES.source, "g"))) add("url", match.index)
  for (const match of code.matchAll(/\?<redacted>|\?\$\{\s*REDACTED\s*\}/g)) add("url", match.index)
  for (const match of code.matchAll(/\.username\s*=\s*["'`]{2}/g)) add("url", match.index)

  if (file.startsWith("packages/transport/src/")) {
    const imports =
      /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']@booster-export\/journal(?:-pg)?(?:\/[^"']*)?["']/g
    for (const match of code.matchAll(imports)) add("journal", match.index)
  }

  const seen = new Set()
  return copies.filter((copy) => {
    const key = `${copy.rule}:${copy.line}`
    if (seen.has(key)) return false
    seen.add(key)
    return (
      !(OWNERS[copy.rule] ?? []).includes(file) &&
      !ALLOWED.some((allowed) => allowed.file === file && allowed.rules.includes(copy.rule))
    )
  })
}

/** Every copy in the tree at `root`, and how many files were read. */
export const check = (root) => {
  const files = sourcesOf(root)
  const copies = files.flatMap((file) =>
    copiesIn(file, readFileSync(join(root, file), "utf8")).map((copy) => ({ file, ...copy }))
  )
  return { files: files.length, copies }
}

const report = ({ files, copies }) => {
  if (copies.length === 0) {
    console.log(`check-rules: ${files} source files, no safety rule outside its module`)
    return 0
  }
  for (const copy of copies) {
    console.error(`${copy.file}:${copy.line}: ${RULE_NAMES[copy.rule]}\n    ${copy.text}`)
  }
  console.error(
    `check-rules: ${copies.length} cop${copies.length === 1 ? "y" : "ies"} of a safety rule outside its module. ` +
      "Use @booster-export/transport/Scrub or /Redact instead (or, for a genuinely different thing, " +
      "add it to ALLOWED in scripts/check-rules.mjs with the reason)."
  )
  return 1
}

/** The planted tree of the self-test: each file and the rules that must be found in it. */
const PLANTED = {
  "apps/demo/src/strip.ts": [
    `export const clean = (t: string) => t.replace(/[\\u0000-\\u001f\\u007f-\\u009f]/g, "")\n`,
    ["control"]
  ],
  "apps/demo/src/ansi.ts": [
    `const ESC_SEQ = /\\x1b\\[[0-9;]*m/g\nexport const plain = (t: string) => t.replace(ESC_SEQ, "")\n`,
    ["control"]
  ],
  "apps/demo/src/bidi.ts": [
    `const BIDI = new RegExp("[\\\\u202a-\\\\u202e\\\\u2066-\\\\u2069]", "g")\nexport const f = (t: string) => t.replaceAll(BIDI, "")\n`,
    ["control"]
  ],
  "apps/demo/src/invisible.ts": [`export const f = (t: string) => t.replace(/\\p{Cf}/gu, "")\n`, ["control"]],
  "apps/demo/src/headers.ts": [`export const isCredentialHeader = (n: string) => n === "x"\n`, ["header"]],
  "packages/lib/src/words.ts": [
    `export const secret = (n: string) => /token|secret|session/i.test(n)\n`,
    ["header"]
  ],
  "packages/lib/src/list.ts": [
    `export const NAMES = new Set(["authorization", "Proxy-Authorization"])\n`,
    ["header"]
  ],
  "apps/demo/src/url.ts": [
    "export const shown = (u: URL) => `${u.origin}${u.pathname}?<redacted>`\n",
    ["url"]
  ],
  "apps/demo/src/url-regex.ts": [
    `export const f = (t: string) => t.replace(/(https?:\\/\\/[^\\s?#]+)[?#]\\S*/g, "$1")\n`,
    ["url"]
  ],
  "apps/demo/src/userinfo.ts": [
    `export const f = (u: URL) => {\n  u.username = ""\n  u.password = ""\n  return u.href\n}\n`,
    ["url"]
  ],
  "packages/transport/src/Leak.ts": [
    `import { Journal } from "@booster-export/journal"\nexport const j = Journal\n`,
    ["journal"]
  ],
  "packages/transport/src/LeakPg.ts": [
    `export const load = () => import("@booster-export/journal-pg/PgJournal")\n`,
    ["journal"]
  ],
  // not copies: the owners, a detector, colour codes written (not removed), a comment
  "packages/transport/src/Scrub.ts": [
    `export const line = (t: string) => t.replace(/[\\u0000-\\u001f]/g, "")\n`,
    []
  ],
  "packages/transport/src/Redact.ts": [
    `const CREDENTIAL_PARTS = /key|token|secret/\nexport const isCredentialHeader = (n: string) => CREDENTIAL_PARTS.test(n)\n`,
    []
  ],
  "packages/transport/src/Config.ts": [
    `const CONTROL = /[\\u0000-\\u001f\\u007f-\\u009f]/\nexport const bad = (v: string) => CONTROL.test(v)\n`,
    []
  ],
  "apps/demo/src/paint.ts": ["export const bold = (t: string) => `\\u001b[1m${t}\\u001b[0m`\n", []],
  "apps/demo/src/doc.ts": [
    `/**\n * Unlike redactUrl, shows https://h/x?<redacted>; see /token|secret/.\n */\nexport const x = 1\n`,
    []
  ],
  "packages/journal/src/Journal.ts": [
    `import * as Redact from "@booster-export/transport/Redact"\nexport const j = Redact.url("x")\n`,
    []
  ]
}

const selfTest = () => {
  const root = mkdtempSync(join(tmpdir(), "check-rules-"))
  try {
    for (const [file, [content]] of Object.entries(PLANTED)) {
      mkdirSync(dirname(join(root, file)), { recursive: true })
      writeFileSync(join(root, file), content)
    }
    const { files, copies } = check(root)
    const problems = []
    for (const [file, [, rules]] of Object.entries(PLANTED)) {
      const found = [...new Set(copies.filter((copy) => copy.file === file).map((copy) => copy.rule))].sort()
      if (JSON.stringify(found) !== JSON.stringify([...rules].sort())) {
        problems.push(`${file}: expected ${JSON.stringify(rules)}, found ${JSON.stringify(found)}`)
      }
    }
    if (files !== Object.keys(PLANTED).length)
      problems.push(`read ${files} files instead of ${Object.keys(PLANTED).length}`)
    const clean = mkdtempSync(join(tmpdir(), "check-rules-clean-"))
    try {
      mkdirSync(join(clean, "apps", "demo", "src"), { recursive: true })
      writeFileSync(
        join(clean, "apps", "demo", "src", "ok.ts"),
        'import * as Scrub from "@booster-export/transport/Scrub"\nexport const f = Scrub.line\n'
      )
      if (check(clean).copies.length !== 0) problems.push("a clean tree was reported")
    } finally {
      rmSync(clean, { recursive: true, force: true })
    }
    if (problems.length > 0) {
      for (const problem of problems) console.error(`check-rules --self-test: ${problem}`)
      return 1
    }
    console.log(
      `check-rules --self-test: all ${copies.length} planted copies found, owners and look-alikes left alone`
    )
    return 0
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  if (args.includes("--self-test")) process.exit(selfTest())
  const at = args.indexOf("--root")
  const root = at >= 0 ? args[at + 1] : join(dirname(fileURLToPath(import.meta.url)), "..")
  if (root === undefined) {
    console.error("usage: node scripts/check-rules.mjs [--root DIR | --self-test]")
    process.exit(2)
  }
  process.exit(report(check(root)))
}
