import { Code, ConnectError } from "@connectrpc/connect";
import { expect } from "vitest";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";

/** Awaits a call that must fail and returns the error with its code, reason and field violations. */
export async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (e) {
    const error = ConnectError.from(e);
    return {
      error,
      code: Code[error.code],
      reason: error.findDetails(ErrorInfoSchema)[0]?.reason ?? "",
      fields: error.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field) ?? [],
    };
  }
  expect.fail("the call succeeded but should have failed");
}
