/**
 * Global setup of the consumer tests: packs the libraries once (each `prepack` builds `dist` from
 * scratch) into a temporary folder and hands the tarballs to every test file.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { packLibraries } from "./project.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** The tarball of each library, by package name. */
    readonly tarballs: Record<string, string>
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "booster-tarballs-"))
  project.provide("tarballs", await packLibraries(dir))
  return () => rmSync(dir, { recursive: true, force: true })
}
