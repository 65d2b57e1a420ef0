import { defineConfig } from "vitest/config"

// The tests spawn the bundled binary and drive real terminals; generous limits keep them reliable on
// a loaded two-core machine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 90_000,
    hookTimeout: 180_000
  }
})
