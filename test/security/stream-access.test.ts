import { describe, expect, it } from "vitest";
import { type Identity, parseGrant } from "../../src/auth/identity.js";
import { watchStreamAccess } from "../../src/auth/stream-access.js";
import { PermissionDeniedError, UnauthenticatedError } from "../../src/registry/core/errors.js";

const identity = (grants: string[], extra: Partial<Identity> = {}): Identity => ({
  subject: "s",
  method: "token",
  grants: grants.map(parseGrant),
  ...extra,
});

/** A stream's access over a fake tokens file: `change` runs the listeners, `recheck` answers with `now`. */
function harness(start: Identity) {
  const listeners = new Set<() => void>();
  let now: Identity | Error = start;
  let checks = 0;
  const access = watchStreamAccess({
    identity: start,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    recheck: async () => {
      checks++;
      await new Promise((r) => setTimeout(r, 5));
      if (now instanceof Error) throw now;
      return now;
    },
  });
  const settle = () => new Promise((r) => setTimeout(r, 30));
  return {
    access,
    listeners,
    checks: () => checks,
    change: async (next: Identity | Error) => {
      now = next;
      for (const l of [...listeners]) l();
      await settle();
    },
  };
}

const reasonOf = (signal: AbortSignal) => (signal.reason as { reason?: string } | undefined)?.reason;

describe("the credentials of an open stream", () => {
  it("ends with PERMISSION_DENIED GRANTS_CHANGED when every model narrows to some, or a glob is dropped", async () => {
    const all = harness(identity(["viewer"]));
    await all.change(identity(["viewer:fraud-*"]));
    expect(all.access.revoked.reason).toBeInstanceOf(PermissionDeniedError);
    expect(reasonOf(all.access.revoked)).toBe("GRANTS_CHANGED");
    expect(all.listeners.size).toBe(0);

    const some = harness(identity(["viewer:fraud-*|churn-*"]));
    await some.change(identity(["viewer:fraud-*", "editor:churn-x"]));
    expect(reasonOf(some.access.revoked)).toBe("GRANTS_CHANGED");
  });

  it("goes on when grants stay or grow, and when roles other than reading change", async () => {
    const h = harness(identity(["viewer:fraud-*"]));
    await h.change(identity(["viewer:fraud-*", "viewer:churn-*"]));
    await h.change(identity(["viewer"]));
    await h.change(identity(["editor:fraud-*"]));
    expect(h.access.revoked.aborted).toBe(false);
    h.access.close();
    expect(h.listeners.size).toBe(0);
  });

  it("ends with TOKEN_REVOKED when the token is no longer accepted, and with a denial as it is", async () => {
    const revoked = harness(identity(["viewer"]));
    await revoked.change(new UnauthenticatedError("invalid bearer token", "INVALID_TOKEN"));
    expect(revoked.access.revoked.reason).toBeInstanceOf(UnauthenticatedError);
    expect(reasonOf(revoked.access.revoked)).toBe("TOKEN_REVOKED");

    const denied = harness(identity(["viewer"]));
    await denied.change(new PermissionDeniedError("no", "models.read"));
    expect(reasonOf(denied.access.revoked)).toBe("PERMISSION_DENIED");
  });

  it("runs one check at a time, and one more for changes that came during it", async () => {
    const h = harness(identity(["viewer"]));
    for (const l of [...h.listeners]) for (let i = 0; i < 5; i++) l();
    await new Promise((r) => setTimeout(r, 50));
    expect(h.checks()).toBe(2);
  });

  it("ends with TOKEN_EXPIRED at expiresAt, and at once when it has passed", async () => {
    const soon = watchStreamAccess({
      identity: identity(["viewer"], { method: "jwt", expiresAt: Date.now() + 50 }),
      onChange: () => () => {},
      recheck: async () => identity([]),
    });
    expect(soon.revoked.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 120));
    expect(reasonOf(soon.revoked)).toBe("TOKEN_EXPIRED");
    const past = watchStreamAccess({
      identity: identity(["viewer"], { method: "jwt", expiresAt: Date.now() - 1 }),
      onChange: () => () => {},
      recheck: async () => identity([]),
    });
    expect(reasonOf(past.revoked)).toBe("TOKEN_EXPIRED");
    // Far in the future (beyond setTimeout's 24.8 days): armed, not fired.
    const far = watchStreamAccess({
      identity: identity(["viewer"], { method: "jwt", expiresAt: Date.now() + 40 * 86_400_000 }),
      onChange: () => () => {},
      recheck: async () => identity([]),
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(far.revoked.aborted).toBe(false);
    far.close();
  });
});
