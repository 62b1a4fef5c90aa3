import { expect } from "vitest";
import { OPERATIONS, schemaErrors } from "./openapi.js";

/**
 * A client of the REST API driven by the OpenAPI document: calls name the operationId, the URL
 * comes from the operation's path template, and every response is checked against the document:
 * its status must be one the operation declares (400 is also accepted for invalid input where the
 * document lists none), and its body must validate against that status's schema (Error for errors).
 */

export interface CallArgs {
  path?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  body: any;
  /** The x-error-reason header of an error (the gRPC ErrorInfo reason), "" on success. */
  reason: string;
}

/** Go's http.StatusText: the `code` of Kubeflow's error bodies. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Statuses the document omits on some operations that the server sends for invalid input (422: a required field missing, as Kubeflow's generated server answers on every operation). */
const UNDECLARED_OK = new Set([400, 422]);

export class KubeflowApi {
  /** The operationIds called so far (the suite checks that it called every one). */
  readonly called = new Set<string>();

  /** `baseUrl` may be a function, for a server that starts after the client is made. */
  constructor(
    private readonly baseUrl: string | (() => string),
    readonly headers: Record<string, string> = {},
  ) {}

  async call(operationId: string, args: CallArgs = {}): Promise<ApiResponse> {
    const op = OPERATIONS.get(operationId);
    if (!op) throw new Error(`no operation ${operationId} in the OpenAPI document`);
    this.called.add(operationId);
    const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const value = args.path?.[name];
      if (value === undefined) throw new Error(`${operationId}: path parameter ${name} missing`);
      return encodeURIComponent(value);
    });
    const res = await this.send(op.method, path, args);
    const declared = op.responses.has(res.status);
    if (!declared && !UNDECLARED_OK.has(res.status)) {
      throw new Error(`${operationId} answered ${res.status}, which the OpenAPI document does not declare: ${JSON.stringify(res.body)}`);
    }
    const schema = declared ? op.responses.get(res.status) : "#/components/schemas/Error";
    if (schema) {
      const errors = schemaErrors(schema, res.body);
      expect(errors, `${operationId} ${res.status} body does not match ${schema}: ${JSON.stringify(res.body)}`).toEqual([]);
    }
    return res;
  }

  /** A request outside the document (wrong method, unknown path, readiness). */
  async send(method: string, path: string, args: CallArgs = {}): Promise<ApiResponse> {
    const url = new URL(path, typeof this.baseUrl === "string" ? this.baseUrl : this.baseUrl());
    for (const [k, v] of Object.entries(args.query ?? {})) url.searchParams.set(k, v);
    const res = await fetch(url, {
      method,
      headers: { ...(args.body !== undefined ? { "content-type": "application/json" } : {}), ...this.headers, ...args.headers },
      // A string or bytes go as they are (malformed bodies), anything else as JSON.
      ...(args.body !== undefined
        ? {
            body:
              typeof args.body === "string" || args.body instanceof Uint8Array
                ? (args.body as string | Uint8Array<ArrayBuffer>)
                : JSON.stringify(args.body),
          }
        : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      // not JSON (the readiness endpoints answer text)
    }
    return { status: res.status, body, reason: res.headers.get("x-error-reason") ?? "" };
  }

  /** A call that must succeed with this status; returns the body. */
  async ok(operationId: string, args: CallArgs = {}, status = 200): Promise<any> {
    const res = await this.call(operationId, args);
    expect(res.status, `${operationId}: ${JSON.stringify(res.body)}`).toBe(status);
    return res.body;
  }

  /**
   * A call that must fail with this status; returns the error body ({code, message}, exactly
   * Kubeflow's Error schema) with the reason of its x-error-reason header.
   */
  async fails(operationId: string, args: CallArgs, status: number): Promise<{ code: string; message: string; reason: string }> {
    const res = await this.call(operationId, args);
    expect(res.status, `${operationId}: ${JSON.stringify(res.body)}`).toBe(status);
    expect(Object.keys(res.body).sort()).toEqual(["code", "message"]);
    // A missing required field is a 422 whose code still says "Bad Request", as Kubeflow's server writes it.
    expect(res.body.code).toBe(status === 422 && res.reason === "REQUIRED_FIELD" ? "Bad Request" : STATUS_TEXT[status]);
    expect(res.reason).toMatch(/^[A-Z_]+$/);
    return { ...res.body, reason: res.reason };
  }
}

/** A MetadataValue of each type, as Kubeflow's clients send them. */
export const mv = {
  string: (v: string) => ({ metadataType: "MetadataStringValue", string_value: v }),
  int: (v: number | bigint) => ({ metadataType: "MetadataIntValue", int_value: String(v) }),
  double: (v: number) => ({ metadataType: "MetadataDoubleValue", double_value: v }),
  bool: (v: boolean) => ({ metadataType: "MetadataBoolValue", bool_value: v }),
  struct: (v: object) => ({ metadataType: "MetadataStructValue", struct_value: Buffer.from(JSON.stringify(v)).toString("base64") }),
};
