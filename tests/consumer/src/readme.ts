/**
 * The install lines of a library's README: the `npm install …` and `pnpm add …` commands of its
 * "Install" section, split into words. The consumer test runs exactly these.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { root } from "./project.js"

/** One README's install commands, each as its words (`["npm", "install", "--save-dev", …]`). */
export interface InstallLines {
  readonly npm: ReadonlyArray<string>
  readonly pnpm: ReadonlyArray<string>
}

/** The install commands of `packages/<dir>/README.md`; fails when either is missing. */
export const installLines = (dir: string): InstallLines => {
  const text = readFileSync(join(root, "packages", dir, "README.md"), "utf8")
  const section = /^## Install\n([\s\S]*?)(?=^## )/m.exec(text)?.[1] ?? ""
  const commands = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].flatMap((block) =>
    (block[1] ?? "").split("\n").map((line) => line.trim().split(/\s+/))
  )
  const npm = commands.find((words) => words[0] === "npm" && words[1] === "install")
  const pnpm = commands.find((words) => words[0] === "pnpm" && words[1] === "add")
  if (npm === undefined || pnpm === undefined)
    throw new Error(
      `packages/${dir}/README.md has no \`npm install\` and \`pnpm add\` line under "## Install"`
    )
  return { npm, pnpm }
}

/** The `name@range` words of a command, as `{name: range}` (a bare name has range `""`). */
export const packagesOf = (words: ReadonlyArray<string>): Record<string, string> =>
  Object.fromEntries(
    words
      .slice(2)
      .filter((word) => !word.startsWith("-"))
      .map((word) => {
        const at = word.indexOf("@", 1)
        return at === -1 ? [word, ""] : [word.slice(0, at), word.slice(at + 1)]
      })
  )
