import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ERROR_TABLE, type ErrorKindOrInternal, statusText } from "../../src/api/shared/error-table.js";
import { toConnectError } from "../../src/api/shared/errors.js";
import { createLogger } from "../../src/logger.js";
import {
  AbortedError,
  AlreadyExistsError,
  DeadlineExceededError,
  EtagMismatchError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  OutOfRangeError,
  PermissionDeniedError,
  ResourceExhaustedError,
  SchemaTooNewError,
  ShuttingDownError,
  UnauthenticatedError,
  UnavailableError,
} from "../../src/registry/core/errors.js";
import { interpretStoreError } from "../../src/registry/shared/store-errors.js";
import { REASON_HEADER, toRestError } from "../../src/rest/shared/errors.js";
import { StoreError } from "../../src/registry/ports/store.js";
import { STATUS_TEXT } from "../rest/support/kubeflow-api.js";
import { codeOnly, scanSources } from "../support/source-scan.js";

/**
 * The one error table (src/api/shared/error-table.ts), row by row: the same failure answers from the same
 * row on the gRPC edge and on the REST gateway's. test/rest/error-table.test.ts provokes the rows
 * reachable over both protocols end to end; here every row is checked on both mappers, including
 * those a test cannot provoke on demand (the database down, a schema from a newer release).
 */

/** One failure of each kind, as the domain (or the store, through its one interpreter) raises it. */
const SAMPLES: Record<ErrorKindOrInternal, () => unknown> = {
  invalid_argument: () => InvalidArgumentError.field("page_size", "must not be negative"),
  not_found: () => new NotFoundError("registeredModels/7"),
  already_exists: () => interpretStoreError(new StoreError("unique_violation", "duplicate key", "registered_models_display_name_key")),
  etag_mismatch: () => new EtagMismatchError("registeredModels/7", "abc"),
  aborted: () => interpretStoreError(new StoreError("unique_violation", "duplicate key", "model_aliases_model_id_alias_key")),
  failed_precondition: () => new FailedPreconditionError("registeredModels/7 is archived", "MODEL_ARCHIVED"),
  out_of_range: () => new OutOfRangeError("revision 3 was compacted", "REVISION_COMPACTED", { compact_revision: "9" }),
  resource_exhausted: () => new ResourceExhaustedError("too many calls", "LIMIT_EXCEEDED", { limit: "max-concurrent-calls" }),
  unauthenticated: () => new UnauthenticatedError("credentials required"),
  permission_denied: () => new PermissionDeniedError("models.write required", "models.write"),
  deadline_exceeded: () => new DeadlineExceededError("past the deadline"),
  unavailable: () => interpretStoreError(new StoreError("unavailable", "connection refused")),
  shutting_down: () => new ShuttingDownError(),
  schema_too_new: () => interpretStoreError(new StoreError("schema_too_new", "the database schema is newer than this server")),
  internal: () => new Error("a bug: secret database text"),
};

/** Both edges' answers to one error, with what each logged. */
function answers(error: unknown) {
  const logged: { level: string; msg: string; err?: { message: string; cause?: { message: string } } }[] = [];
  const logger = createLogger("debug", (line) => logged.push(JSON.parse(line)));
  const grpc = toConnectError(error, logger, "CreateRegisteredModel");
  const rest = toRestError(error, logger, "POST /registered_models");
  return { grpc, grpcReason: grpc.findDetails(ErrorInfoSchema)[0]?.reason, rest, logged };
}

describe("the error table", () => {
  for (const [kind, row] of Object.entries(ERROR_TABLE) as [ErrorKindOrInternal, (typeof ERROR_TABLE)[ErrorKindOrInternal]][]) {
    it(`answers ${kind} with ${Code[row.code]} over gRPC and ${row.status} ${statusText(row.status)} over REST`, () => {
      const error = SAMPLES[kind]();
      const { grpc, grpcReason, rest } = answers(error);
      expect(grpc.code).toBe(row.code);
      expect(rest.status).toBe(row.status);
      expect(rest.body.code).toBe(STATUS_TEXT[row.status]);
      expect(rest.headers[REASON_HEADER]).toBe(rest.reason);
      if (row.status === 503) expect(rest.headers["retry-after"]).toBe("1");
      if (kind === "internal") {
        expect(grpcReason).toBeUndefined();
        expect(rest.reason).toBe(row.reason);
      } else {
        expect(grpcReason).toBe(rest.reason);
        expect(rest.body.message).toBe(grpc.rawMessage);
      }
    });
  }

  it("gives every kind a Kubeflow code text: Go's http.StatusText of its status", () => {
    for (const row of Object.values(ERROR_TABLE)) expect(statusText(row.status)).toBe(STATUS_TEXT[row.status]);
  });

  it("answers INTERNAL 'internal error' on both edges, keeping the cause for the log only", () => {
    const error = SAMPLES.internal();
    const { grpc, rest, logged } = answers(error);
    expect(grpc.rawMessage).toBe("internal error");
    expect(grpc.details).toEqual([]);
    expect(grpc.cause).toBe(error);
    expect(rest.body).toEqual({ code: "Internal Server Error", message: "internal error" });
    const internal = logged.filter((entry) => entry.msg === "internal error");
    expect(internal).toHaveLength(2);
    for (const entry of internal) expect(entry).toMatchObject({ level: "error", err: { message: "a bug: secret database text" } });
  });

  it("answers an unclassified unique violation INTERNAL on both edges (ALREADY_EXISTS only from a classified one)", () => {
    const error = interpretStoreError(new StoreError("unique_violation", "duplicate key value violates unique constraint", "events_pkey"));
    const { grpc, rest, logged } = answers(error);
    expect(grpc.code).toBe(Code.Internal);
    expect(rest.status).toBe(500);
    expect(rest.body.message).toBe("internal error");
    expect(logged.filter((entry) => entry.msg === "internal error")).toHaveLength(2);
  });

  it("logs the database's unavailability with the driver's error on both edges", () => {
    const cause = new StoreError("unavailable", "connect ECONNREFUSED");
    const { logged } = answers(interpretStoreError(cause));
    const warnings = logged.filter((entry) => entry.msg === "database unavailable");
    expect(warnings).toHaveLength(2);
    for (const entry of warnings) expect(entry).toMatchObject({ level: "warn", err: { message: "connect ECONNREFUSED" } });
  });

  it("leaves a ConnectError raised below the edge as it is, and a SchemaTooNewError names its reason", () => {
    const raised = new ConnectError("protocol error", Code.InvalidArgument);
    expect(answers(raised).grpc).toBe(raised);
    expect(new SchemaTooNewError("newer").reason).toBe(ERROR_TABLE.schema_too_new.reason);
    expect(new AlreadyExistsError("x").reason).toBe(ERROR_TABLE.already_exists.reason);
    expect(new AbortedError("x", "ALIAS_CHANGED").kind).toBe("aborted");
    expect(new UnavailableError("x").reason).toBe(ERROR_TABLE.unavailable.reason);
  });
});

describe("store errors", () => {
  it("are known to no edge: src/registry/store-errors.ts interprets them for everyone", () => {
    const root = new URL("../..", import.meta.url).pathname;
    const edges = scanSources(root, "src").filter((file) => /^src\/(api|rest|grpc|watch|cli)\//.test(file.path));
    const knowing = edges.filter((file) => /\bStoreError(Kind)?\b/.test(codeOnly(readFileSync(join(root, file.path), "utf8"))));
    expect(knowing.map((file) => file.path)).toEqual([]);
  });
});

describe("docs/api.md's error table", () => {
  const doc = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
  /** The rows of the errors table: gRPC code, HTTP status, Kubeflow code, as the doc writes them. */
  const documented = new Map(
    [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) `([^`]+)` \|/gm)].map((m) => [m[1]!, { status: Number(m[2]), text: m[3]! }] as const),
  );

  for (const [kind, row] of Object.entries(ERROR_TABLE)) {
    it(`documents ${kind}: ${Code[row.code]} is ${row.status} ${statusText(row.status)} over REST`, () => {
      const name = grpcName(row.code);
      const statuses = Object.values(ERROR_TABLE).filter((r) => r.code === row.code);
      // A gRPC code has one HTTP status, so the doc's one line for it holds for every kind it answers.
      expect(new Set(statuses.map((r) => r.status)).size, `${name} maps to more than one HTTP status`).toBe(1);
      expect(documented.get(name), `docs/api.md has no row "| \`${name}\` | ${row.status} \`${statusText(row.status)}\` |"`).toEqual({
        status: row.status,
        text: statusText(row.status),
      });
    });
  }

  it("documents no code the table does not have", () => {
    const names = new Set(Object.values(ERROR_TABLE).map((row) => grpcName(row.code)));
    expect([...documented.keys()].filter((name) => !names.has(name))).toEqual([]);
  });
});

/** The canonical gRPC name of a code: INVALID_ARGUMENT for Code.InvalidArgument. */
function grpcName(code: Code): string {
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}
