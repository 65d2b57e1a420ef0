import { ExportFilter, ExportKind, Field } from "@booster-export/core"
import { FastCheck } from "effect"
import { describe, expect, it } from "vitest"
import * as Scrub from "../src/Scrub.js"

const ESC = "\u001b"
const BEL = "\u0007"
const ST = `${ESC}\\`

/** Every character the cleaners must never let through (tab and line feed aside). */
const FORBIDDEN =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\u{e0000}-\u{e007f}]/u

describe("Scrub.line and Scrub.text: escape sequences are removed with their payloads", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["OSC 52 ended by BEL (clipboard write)", `a${ESC}]52;c;cm0gLXJmIH4K${BEL}b`],
    ["OSC 0 ended by ESC \\ (window title)", `a${ESC}]0;pwned${ST}b`],
    ["8-bit OSC ended by 8-bit ST", "a\u009d0;pwned\u009cb"],
    ["8-bit OSC ended by BEL", `a\u009d52;c;cm0gLXJmIH4K${BEL}b`],
    ["DCS with payload", `a${ESC}P1$r0m${ST}b`],
    ["OSC whose payload holds an ESC that is not its terminator", `a${ESC}]52;c;AAAA${ESC}ZBBBB${BEL}b`],
    ["8-bit DCS", "a\u00901$r0m\u009cb"],
    ["SOS", `a${ESC}Xhidden${ST}b`],
    ["8-bit SOS", "a\u0098hidden\u009cb"],
    ["PM", `a${ESC}^hidden${ST}b`],
    ["8-bit PM", "a\u009ehidden\u009cb"],
    ["APC", `a${ESC}_hidden${ST}b`],
    ["8-bit APC", "a\u009fhidden\u009cb"],
    ["CSI clear screen", `a${ESC}[2Jb`],
    ["CSI colour", `a${ESC}[1;31mb`],
    ["CSI private mode (hide the cursor)", `a${ESC}[?25lb`],
    ["CSI with an intermediate byte", `a${ESC}[2 qb`],
    ["8-bit CSI", "a\u009b31mb"],
    ["two-character escape (reset the terminal)", `a${ESC}cb`],
    ["character set designation", `a${ESC}(0b`],
    ["DEC screen alignment test", `a${ESC}#8b`]
  ]
  it.each(cases)("%s", (_, input) => {
    expect(Scrub.line(input)).toBe("ab")
    expect(Scrub.text(input)).toBe("ab")
  })

  it("drops an unterminated control string to the end, as a terminal would swallow it", () => {
    expect(Scrub.line(`shown${ESC}]52;c;cm0gLXJmIH4K and the rest`)).toBe("shown")
    expect(Scrub.line("shown\u009d0;title and the rest")).toBe("shown")
  })

  it("keeps the text of a hyperlink (OSC 8) and drops its target", () => {
    expect(Scrub.line(`see ${ESC}]8;;https://evil.example/${ST}the docs${ESC}]8;;${ST}.`)).toBe(
      "see the docs."
    )
  })

  it("removes a lone ESC at the end or before a character that ends no sequence", () => {
    expect(Scrub.line(`end${ESC}`)).toBe("end")
    expect(Scrub.line(`a${ESC}\u00e9b`)).toBe("a\u00e9b")
  })

  it("does not swallow ordinary text after a two-character escape", () => {
    expect(Scrub.line(`${ESC}7SAVED TEXT`)).toBe("SAVED TEXT")
  })
})

describe("Scrub.line and Scrub.text: control, bidirectional and invisible characters", () => {
  const controls = [
    // ESC starts a sequence (above); tab and line breaks have their own rule
    ...Array.from({ length: 32 }, (_, code) => code).filter(
      (code) => ![0x09, 0x0a, 0x0d, 0x1b].includes(code)
    ),
    0x7f,
    ...Array.from({ length: 32 }, (_, code) => 0x80 + code).filter(
      (code) => ![0x90, 0x98, 0x9b, 0x9d, 0x9e, 0x9f].includes(code)
    )
  ]
  it.each(controls.map((code) => [code.toString(16).padStart(4, "0"), code] as const))(
    "removes the control character U+%s",
    (_, code) => {
      expect(Scrub.line(`a${String.fromCharCode(code)}b`)).toBe("ab")
      expect(Scrub.text(`a${String.fromCharCode(code)}b`)).toBe("ab")
    }
  )

  const bidi = [
    0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c
  ]
  it.each(bidi.map((code) => [code.toString(16), code] as const))(
    "removes the bidirectional control U+%s",
    (_, code) => {
      expect(Scrub.line(`a${String.fromCodePoint(code)}b`)).toBe("ab")
      expect(Scrub.text(`a${String.fromCodePoint(code)}b`)).toBe("ab")
    }
  )

  const invisible = [
    0x200b, 0x200c, 0x200d, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x206a, 0x206f, 0xfeff, 0x00ad, 0x180e,
    0x2028, 0x2029, 0xe0001, 0xe0041, 0xe007f
  ]
  it.each(invisible.map((code) => [code.toString(16), code] as const))(
    "removes the invisible character U+%s",
    (_, code) => {
      expect(Scrub.line(`a${String.fromCodePoint(code)}b`)).toBe("ab")
      expect(Scrub.text(`a${String.fromCodePoint(code)}b`)).toBe("ab")
    }
  )

  it("shows a right-to-left override attack as the bytes really are", () => {
    // "invoice‮fdp.exe" displays as "invoiceexe.pdf"
    expect(Scrub.line("invoice\u202efdp.exe")).toBe("invoicefdp.exe")
  })

  it("keeps letters of every script, emoji and accents", () => {
    const text = "Zoë Ñandú — 東京 مرحبا 👍🏽 café"
    expect(Scrub.line(text)).toBe(text)
    expect(Scrub.text(text)).toBe(text)
  })
})

describe("the two forms", () => {
  it("text keeps line feeds and tabs; a CR or CR LF becomes a line feed", () => {
    expect(Scrub.text("one\ttwo\nthree\r\nfour\rfive")).toBe("one\ttwo\nthree\nfour\nfive")
  })

  it("line turns every run of tabs and line breaks into one space", () => {
    expect(Scrub.line("one\ttwo\nthree\r\n\r\nfour")).toBe("one two three four")
    expect(Scrub.line("a\n\u200b\nb")).toBe("a b")
  })

  it("never lets a forbidden character through, and cleaning twice changes nothing", () => {
    const hostile = FastCheck.stringOf(
      FastCheck.oneof(
        FastCheck.constantFrom(
          ESC,
          BEL,
          "\u009b",
          "\u009c",
          "\u009d",
          "\u0090",
          "[",
          "]",
          "\\",
          "P",
          "\n",
          "\r",
          "\t"
        ),
        FastCheck.integer({ min: 0, max: 0x20ff }).map((code) => String.fromCharCode(code)),
        FastCheck.constantFrom("\u202e", "\u2066", "\u200b", "\ufeff", "\u{e0041}", "a", "é", "1", ";")
      ),
      { maxLength: 40 }
    )
    FastCheck.assert(
      FastCheck.property(hostile, (input) => {
        for (const clean of [Scrub.line, Scrub.text]) {
          const once = clean(input)
          expect(once).not.toMatch(FORBIDDEN)
          expect(clean(once)).toBe(once)
        }
        expect(Scrub.line(input)).not.toMatch(/[\t\n\r]/)
      }),
      { numRuns: 2000 }
    )
  })
})

describe("core's input rule and Scrub", () => {
  it("refuse and remove the same characters: every code point Scrub drops, core refuses in a filter's text (the joiners aside)", () => {
    const disagree: Array<string> = []
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue
      const char = String.fromCodePoint(code)
      const removed = Scrub.line(`a${char}b`) !== `a${char}b`
      const refused = Field.hasControlCharacters(char)
      // Persian, the Indic scripts and emoji sequences need the zero-width non-joiner and joiner
      const joiner = code === 0x200c || code === 0x200d
      if (removed !== refused && !(joiner && removed && !refused)) disagree.push(code.toString(16))
    }
    expect(disagree).toEqual([])
  })
})

describe("Scrub.deep", () => {
  it("cleans every string of a JSON value, keys included, and JSON forms of dates", () => {
    const value = {
      [`ty${ESC}[2Jpe`]: `crm${ESC}]52;c;x${BEL}`,
      nested: [{ status: "COM\u202e\nPLETED" }, 3, null, true],
      at: new Date("2026-01-02T03:04:05.000Z")
    }
    expect(Scrub.deep(value)).toEqual({
      type: "crm",
      nested: [{ status: "COM\nPLETED" }, 3, null, true],
      at: "2026-01-02T03:04:05.000Z"
    })
    expect(Scrub.deep(value, Scrub.line)).toMatchObject({ nested: [{ status: "COM PLETED" }, 3, null, true] })
  })
})

describe("Scrub.escaped", () => {
  it("writes hidden characters out, so that look-alikes stay apart, on one line", () => {
    expect(Scrub.escaped("alice\u200b")).toBe("alice\\u{200b}")
    expect(Scrub.escaped("a\\u{200b}")).toBe("a\\\\u{200b}")
    expect(Scrub.escaped("a\u200b")).not.toBe(Scrub.escaped("a\\u{200b}"))
    expect(Scrub.escaped("bob\nalice\u202e\u{e0041}")).toBe("bob\\u{a}alice\\u{202e}\\u{e0041}")
    expect(Scrub.escaped("Zoë")).toBe("Zoë")
  })
})

describe("personal values", () => {
  const kind = ExportKind.Customer

  it("make replaces each personal value in any case, URL-encoded or JSON-escaped, by the one placeholder", () => {
    const scrub = Scrub.make(["Ann.O'Neil+x@Example.com", "+41 79 555 12 12", "ab"])
    const shown = scrub(
      `No customer 'ANN.O'NEIL+X@EXAMPLE.COM' (${encodeURIComponent("Ann.O'Neil+x@Example.com")}), ` +
        `phone ${encodeURIComponent("+41 79 555 12 12").replace(/%20/g, "+")} or "+41 79 555 12 12"; ab stays${ESC}[2J`
    )
    expect(shown).not.toMatch(/ann|555/i)
    expect(shown).toContain(Scrub.PLACEHOLDER)
    expect(shown).toContain("ab stays")
    expect(shown).not.toContain(ESC)
    expect(Scrub.PLACEHOLDER).toBe("<personal value, not shown>")
  })

  it("make also finds a value the request carried with a hidden character in it", () => {
    const scrub = Scrub.make(["victim\u200b@example.com"])
    expect(scrub("unknown: victim@example.com")).toBe(`unknown: ${Scrub.PLACEHOLDER}`)
  })

  it("excerpt cuts scrubbed text to 200 characters", () => {
    expect(Scrub.excerpt(`${"x".repeat(300)}${ESC}[2J`)).toBe(`${"x".repeat(200)}…`)
  })

  it("personalFields and personalValues read the fields core marks personal", () => {
    expect(Scrub.personalFields(ExportFilter.CustomerFilter)).toEqual(
      expect.arrayContaining(["email", "phoneNumber", "searchKey", "saleRepresentativeEmails"])
    )
    expect(Scrub.personalFields(ExportFilter.CustomerFilter)).not.toContain("brand")
    expect(
      Scrub.personalValues(kind.request, {
        brand: "CAR",
        email: "a@example.com",
        saleRepresentativeEmails: ["r1@example.com", "r2@example.com"]
      })
    ).toEqual(["a@example.com", "r1@example.com", "r2@example.com"])
  })

  it("hidePersonal replaces each personal field (each member of a list) and names the fields hidden", () => {
    const shown = Scrub.hidePersonal(kind.filter, {
      brand: "CAR",
      email: "a@example.com",
      saleRepresentativeEmails: ["r1@example.com", "r2@example.com"],
      phoneNumber: undefined
    })
    expect(shown.value).toEqual({
      brand: "CAR",
      email: Scrub.PLACEHOLDER,
      saleRepresentativeEmails: [Scrub.PLACEHOLDER, Scrub.PLACEHOLDER],
      phoneNumber: undefined
    })
    expect(shown.hidden).toEqual(["email", "saleRepresentativeEmails"])
  })
})
