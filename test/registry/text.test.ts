import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeUtf8, escapeText, firstInvalidUtf8, INVALID_UTF8_MARK, textProblem, wellFormed } from "../../src/registry/core/text.js";

const FATAL = new TextDecoder("utf-8", { fatal: true });

/** Whether the platform's strict decoder takes the bytes. */
function validUtf8(bytes: Uint8Array): boolean {
  try {
    FATAL.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe("the text rule", () => {
  it("agrees with the platform's strict UTF-8 decoder on random and almost-valid bytes", () => {
    for (let k = 0; k < 20_000; k++) {
      const bytes = randomBytes(1 + (k % 7));
      // Every third sample is made of lead and continuation bytes, where the edge cases are.
      if (k % 3 === 0) for (let j = 0; j < bytes.length; j++) bytes[j] = 0x80 | (bytes[j]! & 0x7f) | (j === 0 ? 0x40 : 0);
      const valid = validUtf8(bytes);
      expect(firstInvalidUtf8(bytes) < 0, bytes.toString("hex")).toBe(valid);
      const text = decodeUtf8(bytes);
      expect(wellFormed(text), bytes.toString("hex")).toBe(valid);
      if (valid) expect(text).toBe(FATAL.decode(bytes));
    }
  });

  it("marks each invalid byte where it was and keeps the valid text around it", () => {
    expect(decodeUtf8(Buffer.from([0x61, 0xc3, 0x28, 0x62]))).toBe(`a${INVALID_UTF8_MARK}(b`);
    expect(decodeUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(INVALID_UTF8_MARK.repeat(3));
    expect(decodeUtf8(Buffer.from("é😀\uFFFD"))).toBe("é😀\uFFFD");
  });

  it("refuses NUL and unpaired surrogates, and takes surrogate pairs and U+FFFD", () => {
    expect(textProblem("a\u0000")?.reason).toBe("INVALID_CHARACTER");
    for (const bad of ["ls-\ud800", "\udc00", "x\ud83d", "\ud83d\ud83d\ude00"]) expect(textProblem(bad)?.reason).toBe("INVALID_UNICODE");
    for (const fine of ["", "😀", "\uFFFD", "Cafe\u0301", "\ud83d\ude00"]) expect(textProblem(fine)).toBeUndefined();
  });

  it("escapes what it refuses when a message shows it", () => {
    expect(escapeText("k\ud800\u0000😀")).toBe("k\\ud800\\u0000😀");
  });
});
