import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["src/pack-once.ts"],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    // the install matrix runs two package-manager installs at once, not all of them
    maxConcurrency: 2
  }
})
