import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/registry/core/errors.js";
import { decodePageToken, encodePageToken, queryDigest } from "../../src/registry/shared/page-token.js";

const key = randomBytes(32);
const digest = queryDigest("registeredModels/1", "accuracy > 0.9", "create_time desc");

describe("page tokens", () => {
  it("round-trips a cursor for the same query", () => {
    const token = encodePageToken(key, digest, [1732500000000, "v2", null, 42]);
    expect(decodePageToken(key, digest, token)).toEqual([1732500000000, "v2", null, 42]);
  });

  it("is opaque: no cursor value is readable in the token", () => {
    const token = encodePageToken(key, digest, ["needle-value", 7]);
    expect(token).not.toContain("needle");
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("rejects a token of another filter, order or parent", () => {
    const token = encodePageToken(key, digest, [1]);
    for (const other of [
      queryDigest("registeredModels/1", "accuracy > 0.8", "create_time desc"),
      queryDigest("registeredModels/2", "accuracy > 0.9", "create_time desc"),
    ]) {
      expect(() => decodePageToken(key, other, token)).toThrow(/another query/);
    }
  });

  it("rejects tampered, foreign-key and garbage tokens", () => {
    const token = encodePageToken(key, digest, [1, 2]);
    const flipped = token.slice(0, 10) + (token[10] === "A" ? "B" : "A") + token.slice(11);
    for (const bad of [
      flipped,
      encodePageToken(randomBytes(32), digest, [1, 2]),
      "%%%",
      "",
      "a".repeat(5000),
      Buffer.from("{}").toString("base64url"),
    ]) {
      expect(() => decodePageToken(key, digest, bad)).toThrow(InvalidArgumentError);
    }
  });
});
