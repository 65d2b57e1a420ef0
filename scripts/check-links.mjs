#!/usr/bin/env node
// Every relative link of the repository's Markdown resolves: the file or folder it names exists,
// and its `#anchor` (in that file, or in the same file for `](#anchor)`) is a heading there, slugged
// as GitHub slugs headings. Links inside fenced code blocks and code spans are not links; a `#`
// line inside a fenced block is no heading. Links with a scheme (https:, mailto:, …) are not
// fetched.
//
//   node scripts/check-links.mjs              check this repository's Markdown (git's tracked and
//                                              untracked, not ignored, files; exit 1 naming each
//                                              dead link)
//   node scripts/check-links.mjs --root DIR   check every .md file under another tree
//   node scripts/check-links.mjs --self-test  plant dead and live links in a temporary tree and
//                                              check that exactly the dead ones are found
import { execFileSync } from "node:child_process"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"

/** The lines of a Markdown text with fenced code blocks blanked out (line numbers are kept). */
const withoutFences = (text) => {
  let fence
  return text.split("\n").map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1]
    if (fence === undefined) {
      if (marker === undefined) return line
      fence = marker
      return ""
    }
    if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined
    return ""
  })
}

/** GitHub's anchor of a heading's text (as github-slugger): lower case, punctuation dropped, spaces to `-`. */
const slug = (heading) =>
  heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/[`*]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-")

/** The anchors of a Markdown text: its ATX headings (repeats numbered -1, -2, … as GitHub does) and explicit ids. */
const anchorsOf = (text) => {
  const anchors = new Set()
  const seen = new Map()
  for (const line of withoutFences(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$/.exec(line)?.[1]
    if (heading !== undefined) {
      const base = slug(heading)
      const count = seen.get(base) ?? 0
      seen.set(base, count + 1)
      anchors.add(count === 0 ? base : `${base}-${count}`)
    }
    for (const match of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1])
  }
  return anchors
}

/** The links of a Markdown text, `{line, target}`: inline links and reference definitions, code left out. */
const linksOf = (text) =>
  withoutFences(text).flatMap((raw, index) => {
    const line = raw.replace(/(`+)[\s\S]*?\1/g, "")
    const targets = [
      ...[...line.matchAll(/\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]),
      ...[...(/^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(line) ?? [])].slice(1)
    ]
    return targets.map((target) => ({ line: index + 1, target: target.replace(/^<|>$/g, "") }))
  })

/** Dead links of the given Markdown files under `root`: `file:line: target: why`. */
export const check = (root, files) => {
  const anchorCache = new Map()
  const anchors = (file) => {
    if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(readFileSync(file, "utf8")))
    return anchorCache.get(file)
  }
  const problems = []
  for (const file of files) {
    const path = join(root, file)
    for (const { line, target } of linksOf(readFileSync(path, "utf8"))) {
      if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue
      const hash = target.indexOf("#")
      const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash))
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1))
      const resolved =
        pathPart === ""
          ? path
          : pathPart.startsWith("/")
            ? join(root, pathPart)
            : resolve(dirname(path), pathPart)
      const where = `${file}:${line}: ${target}`
      if (!existsSync(resolved)) {
        problems.push(`${where}: ${relative(root, resolved).split(sep).join("/")} does not exist`)
        continue
      }
      if (anchor === undefined || anchor === "") continue
      if (!statSync(resolved).isFile() || !resolved.endsWith(".md")) continue
      if (!anchors(resolved).has(anchor.toLowerCase()))
        problems.push(`${where}: no heading #${anchor} in ${relative(root, resolved).split(sep).join("/")}`)
    }
  }
  return problems
}

/** The repository's Markdown files: tracked and untracked, not ignored. */
const gitFiles = (root) =>
  execFileSync("git", ["ls-files", "-co", "--exclude-standard", "--", "*.md"], {
    cwd: root,
    encoding: "utf8"
  })
    .split("\n")
    .filter((file) => file !== "" && existsSync(join(root, file)))

/** Every .md file under `root`, skipping node_modules and dot folders. */
const walk = (root, dir = root) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) return []
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return walk(root, path)
    return entry.name.endsWith(".md") ? [relative(root, path).split(sep).join("/")] : []
  })

/** The planted tree of the self-test, and the dead links that must be found in it (and only those). */
const PLANTED = {
  "README.md": [
    "# The tool",
    "",
    "## Start: `booster` here",
    "",
    "See [the manual](docs/manual.md), [its flags](docs/manual.md#flags-and-environment) and",
    "[start](#start-booster-here), [the folder](docs), [again](#again-1) and [the web](https://example.com).",
    "Dead: [gone](docs/gone.md) and [no anchor](docs/manual.md#options) and [here](#nowhere).",
    "`[in code](docs/none.md)` is no link.",
    "",
    "```sh",
    "# not a heading",
    "see [in a block](docs/none.md)",
    "```",
    "",
    "## Again",
    "",
    "## Again",
    "",
    "[not a heading](#not-a-heading)",
    "[ref]: docs/missing.md"
  ],
  "docs/manual.md": [
    "# Manual",
    "",
    "## Flags and environment",
    "",
    "Back to [the tool](../README.md#the-tool)."
  ]
}
const EXPECTED = [
  "README.md:7: docs/gone.md: docs/gone.md does not exist",
  "README.md:7: docs/manual.md#options: no heading #options in docs/manual.md",
  "README.md:7: #nowhere: no heading #nowhere in README.md",
  "README.md:19: #not-a-heading: no heading #not-a-heading in README.md",
  "README.md:20: docs/missing.md: docs/missing.md does not exist"
]

const selfTest = () => {
  const root = mkdtempSync(join(tmpdir(), "check-links-"))
  try {
    for (const [file, lines] of Object.entries(PLANTED)) {
      mkdirSync(dirname(join(root, file)), { recursive: true })
      writeFileSync(join(root, file), `${lines.join("\n")}\n`)
    }
    const found = check(root, walk(root))
    const missed = EXPECTED.filter((problem) => !found.includes(problem))
    const extra = found.filter((problem) => !EXPECTED.includes(problem))
    if (missed.length > 0 || extra.length > 0) {
      for (const problem of missed) console.error(`check-links --self-test: not found: ${problem}`)
      for (const problem of extra) console.error(`check-links --self-test: found but live: ${problem}`)
      return 1
    }
    console.log(
      `check-links --self-test: all ${EXPECTED.length} planted dead links found, live links left alone`
    )
    return 0
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  if (args.includes("--self-test")) process.exit(selfTest())
  const rootFlag = args.indexOf("--root")
  if (args.length > 0 && (rootFlag === -1 || args[rootFlag + 1] === undefined)) {
    console.error("usage: node scripts/check-links.mjs [--root DIR | --self-test]")
    process.exit(2)
  }
  const root = rootFlag === -1 ? fileURLToPath(new URL("..", import.meta.url)) : resolve(args[rootFlag + 1])
  const files = rootFlag === -1 ? gitFiles(root) : walk(root)
  const problems = check(root, files)
  for (const problem of problems) console.error(`dead link: ${problem}`)
  if (problems.length > 0) process.exit(1)
  console.log(`check-links: every relative link and anchor of ${files.length} Markdown files resolves`)
}
