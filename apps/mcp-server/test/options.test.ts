import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { isLoopback, parse, UsageError } from "../src/options/options.js"

const env = { HOME: "/home/ada" }

describe("options", () => {
  it("defaults to stdio, 127.0.0.1:8765, a 15-minute window and XDG directories", () => {
    const options = parse([], env)
    expect(options).toMatchObject({
      readOnly: false,
      sandbox: false,
      http: false,
      host: "127.0.0.1",
      port: 8765,
      dedupeWindowMinutes: 15,
      exportDir: join("/home/ada", ".local", "share", "booster-export", "exports"),
      stateDir: join("/home/ada", ".local", "state", "booster-export"),
      logLevel: "warn"
    })
  })

  it("takes the flag over BOOSTER_EXPORT_DIR over XDG_DATA_HOME", () => {
    const withXdg = { ...env, XDG_DATA_HOME: "/data", XDG_STATE_HOME: "/state" }
    expect(parse([], withXdg).exportDir).toBe(join("/data", "booster-export", "exports"))
    expect(parse([], withXdg).stateDir).toBe(join("/state", "booster-export"))
    expect(parse([], { ...withXdg, BOOSTER_EXPORT_DIR: "/exports" }).exportDir).toBe("/exports")
    expect(parse(["--export-dir", "/flag"], { ...withXdg, BOOSTER_EXPORT_DIR: "/exports" }).exportDir).toBe(
      "/flag"
    )
  })

  it("reads every flag", () => {
    const options = parse(
      ["--read-only", "--sandbox", "--http", "--host", "::1", "--port", "0", "--dedupe-window", "2.5"],
      { ...env, BOOSTER_LOG: "DEBUG" }
    )
    expect(options).toMatchObject({
      readOnly: true,
      sandbox: true,
      http: true,
      host: "::1",
      port: 0,
      dedupeWindowMinutes: 2.5,
      logLevel: "debug"
    })
  })

  it("reads the summaries' privacy settings from flags over the environment, with safe defaults", () => {
    expect(parse([], env)).toMatchObject({ summaryEpsilon: 1, summaryEpsilonPerDay: 3, summaryListValues: 3 })
    const fromEnv = {
      ...env,
      BOOSTER_SUMMARY_EPSILON: "0.5",
      BOOSTER_SUMMARY_EPSILON_PER_DAY: "2",
      BOOSTER_SUMMARY_LIST_VALUES: "2"
    }
    expect(parse([], fromEnv)).toMatchObject({
      summaryEpsilon: 0.5,
      summaryEpsilonPerDay: 2,
      summaryListValues: 2
    })
    expect(
      parse(
        ["--summary-epsilon", "0.25", "--summary-epsilon-per-day", "1.5", "--summary-list-values", "1"],
        fromEnv
      )
    ).toMatchObject({ summaryEpsilon: 0.25, summaryEpsilonPerDay: 1.5, summaryListValues: 1 })
    expect(() => parse(["--summary-epsilon", "-1"], env)).toThrow(UsageError)
    for (const bad of ["0", "0.0000001", "1e3", "2000", "lots"]) {
      expect(() => parse(["--summary-epsilon", bad], env)).toThrow(
        "--summary-epsilon must be a number more than 0"
      )
    }
    expect(() => parse(["--summary-epsilon", "2", "--summary-epsilon-per-day", "1"], env)).toThrow(
      "no summary would fit in a day"
    )
    expect(() => parse(["--summary-list-values", "0"], env)).toThrow("--summary-list-values")
    expect(() => parse(["--summary-list-values", "21"], env)).toThrow("--summary-list-values")
  })

  it("refuses unknown flags and bad values, naming them", () => {
    expect(() => parse(["--frobnicate"], env)).toThrow(UsageError)
    expect(() => parse(["--port", "http"], env)).toThrow("--port must be a non-negative integer")
    expect(() => parse(["--port", "70000"], env)).toThrow("--port must be at most 65535")
    expect(() => parse(["--dedupe-window", "-1"], env)).toThrow("--dedupe-window")
    expect(() => parse([], { ...env, BOOSTER_LOG: "loud" })).toThrow("BOOSTER_LOG")
    expect(() => parse(["positional"], env)).toThrow(UsageError)
    expect(() => parse(["--consent", "never"], env)).toThrow("--consent must be one of token, elicit, auto")
    expect(() => parse(["--confirmation-minutes", "0"], env)).toThrow("--confirmation-minutes")
    expect(parse([], env)).toMatchObject({ consent: "auto", confirmationMinutes: 10 })
    expect(parse(["--consent", "TOKEN", "--confirmation-minutes", "2.5"], env)).toMatchObject({
      consent: "token",
      confirmationMinutes: 2.5
    })
  })

  it("requires a bearer token off loopback and keeps only its digest", () => {
    expect(() => parse(["--http", "--host", "0.0.0.0"], env)).toThrow("--token-file")
    expect(() => parse(["--http", "--host", "0.0.0.0"], { ...env, BOOSTER_MCP_TOKEN: "short" })).toThrow(
      "at least 16 characters"
    )
    const token = "a-long-enough-token-1234"
    const options = parse(["--http", "--host", "0.0.0.0"], { ...env, BOOSTER_MCP_TOKEN: token })
    expect(options.tokenDigest?.length).toBe(32)
    expect(JSON.stringify(options)).not.toContain(token)
    expect(parse(["--http", "--host", "127.0.0.2"], env).tokenDigest).toBeUndefined()
    expect(() => parse(["--allowed-host", "https://x.example/"], env)).toThrow("--allowed-host")
    expect(() => parse(["--max-sessions", "0"], env)).toThrow("--max-sessions")
  })

  it("takes OAuth instead of a static token, off loopback with a public URL, never both", () => {
    const issuer = "https://login.microsoftonline.com/tenant-id/v2.0"
    const off = ["--http", "--host", "0.0.0.0"]
    expect(() => parse([...off, "--oauth-issuer", issuer], env)).toThrow("--public-url")
    const options = parse(
      [...off, "--oauth-issuer", issuer, "--public-url", "https://mcp.example.com/mcp"],
      env
    )
    expect(options).toMatchObject({ oauthIssuer: issuer, oauthAudience: undefined, tokenDigest: undefined })
    expect(options.publicUrl?.href).toBe("https://mcp.example.com/mcp")
    expect(
      parse(["--http"], {
        ...env,
        BOOSTER_MCP_OAUTH_ISSUER: "http://127.0.0.1:9000/realms/x",
        BOOSTER_MCP_OAUTH_AUDIENCE: "api://booster-mcp"
      })
    ).toMatchObject({ oauthIssuer: "http://127.0.0.1:9000/realms/x", oauthAudience: "api://booster-mcp" })
    expect(() =>
      parse(["--oauth-issuer", issuer], { ...env, BOOSTER_MCP_TOKEN: "a-long-enough-token-1234" })
    ).toThrow(/BOOSTER_MCP_TOKEN.*--oauth-issuer/)
    expect(() => parse(["--oauth-issuer", "http://idp.example.com/"], env)).toThrow(
      "--oauth-issuer must be an https URL"
    )
    expect(() => parse(["--oauth-issuer", "https://idp.example.com/?tenant=1"], env)).toThrow("query")
    expect(() => parse(["--oauth-issuer", "idp.example.com"], env)).toThrow("absolute URL")
    expect(() =>
      parse(["--oauth-issuer", issuer, "--public-url", "http://mcp.example.com/mcp"], env)
    ).toThrow("--public-url must be an https URL")
    expect(() => parse(["--oauth-audience", "api://x"], env)).toThrow("--oauth-issuer")
  })

  it("counts all of 127.0.0.0/8, ::1 and localhost as loopback", () => {
    for (const host of [
      "127.0.0.1",
      "127.0.0.2",
      "127.255.1.9",
      "::1",
      "[::1]",
      "localhost",
      "::ffff:127.0.0.3"
    ]) {
      expect(isLoopback(host)).toBe(true)
    }
    for (const host of [
      "0.0.0.0",
      "10.0.0.5",
      "::",
      "128.0.0.1",
      "localhost.attacker.example",
      "127.0.0.1.nip.io"
    ]) {
      expect(isLoopback(host)).toBe(false)
    }
  })
})
