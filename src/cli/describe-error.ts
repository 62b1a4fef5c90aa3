import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";

/** One line for a failed call: `message (code, REASON)`, or why the server could not be reached. */
export function describeError(error: unknown, server: string): string {
  const unreachable = networkCode(error);
  if (unreachable) return `cannot reach ${server} (${unreachable})`;
  const e = ConnectError.from(error);
  const reason = e.findDetails(ErrorInfoSchema)[0]?.reason;
  const fields = e.findDetails(BadRequestSchema)[0]?.fieldViolations ?? [];
  const message = fields.length > 1 ? fields.map((v) => `${v.field}: ${v.description}`).join("; ") : e.rawMessage;
  const code = Code[e.code]!.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  return `${message} (${code}${reason && reason !== code.toUpperCase() ? `, ${reason}` : ""})`;
}

/** ECONNREFUSED and friends from fetch's `TypeError: fetch failed` cause chain (its innermost message otherwise). */
function networkCode(error: unknown): string | undefined {
  let failed = false;
  let last = "";
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    if (e instanceof TypeError && e.message === "fetch failed") failed = true;
    if (e instanceof Error) last = e.message;
  }
  return failed ? last : undefined;
}
