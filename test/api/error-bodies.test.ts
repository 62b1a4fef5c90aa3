import type http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVER_DIALECTS } from "../support/dialects.js";
import { rawHttp2Request } from "../support/raw-http2.js";
import { startTestServer, type TestServer } from "../support/server.js";

const SERVICE = "/modelregistry.v1.ModelRegistryService";

/** Status, headers and body of one raw HTTP/2 request. */
async function h2Request(url: string, headers: http2.OutgoingHttpHeaders, body?: string) {
  const res = await rawHttp2Request(url, headers, body);
  return { status: Number(res.headers[":status"]), headers: res.headers, body: res.body };
}

// Every refusal says what went wrong: connect-node answers 404, 405 and 415 with an empty body.
for (const dialect of SERVER_DIALECTS) {
  describe.runIf(dialect.enabled)(`[${dialect.name}] error responses have a body`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(dialect);
    });
    afterAll(() => server?.close());
    const connectError = async (res: Response) => {
      expect(res.headers.get("content-type")).toBe("application/json");
      return (await res.json()) as { code: string; message: string };
    };

    it("answers a Connect call without a content-type with 415 and a Connect error naming it", async () => {
      const res = await fetch(`${server.url}${SERVICE}/ListRegisteredModels`, { method: "POST", body: new TextEncoder().encode("{}") });
      expect(res.status).toBe(415);
      const error = await connectError(res);
      expect(error.code).toBe("unimplemented");
      expect(error.message).toMatch(
        /^missing content-type on \/modelregistry\.v1\.ModelRegistryService\/ListRegisteredModels: send application\/json/,
      );
    });

    it("answers an unsupported content-type (curl -d sends a form) with 415 naming it", async () => {
      const res = await fetch(`${server.url}${SERVICE}/ListRegisteredModels`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "{}",
      });
      expect(res.status).toBe(415);
      expect((await connectError(res)).message).toContain("content-type application/x-www-form-urlencoded is not supported");
    });

    it("answers a GET with 405 or 415 and says how to call", async () => {
      const write = await fetch(`${server.url}${SERVICE}/CreateRegisteredModel`);
      expect(write.status).toBe(405);
      expect(await connectError(write)).toEqual({
        code: "unimplemented",
        message: `GET is not allowed on ${SERVICE}/CreateRegisteredModel: use POST`,
      });
      const read = await fetch(`${server.url}${SERVICE}/ListRegisteredModels`);
      expect(read.status).toBe(415);
      expect((await connectError(read)).message).toContain("needs ?encoding=json&message=");
      const put = await fetch(`${server.url}${SERVICE}/ListRegisteredModels`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(put.status).toBe(405);
      expect((await connectError(put)).message).toContain("PUT is not allowed");
    });

    it("answers a misspelled method or service with 404, a Connect error and the closest name", async () => {
      const post = (path: string) => fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      const method = await post(`${SERVICE}/ListRegisteredModelz`);
      expect(method.status).toBe(404);
      expect(await connectError(method)).toEqual({
        code: "unimplemented",
        message: "unknown method ListRegisteredModelz of modelregistry.v1.ModelRegistryService; did you mean ListRegisteredModels?",
      });
      const service = await post("/modelregistry.v1.ModelRegistrySevrice/GetRegisteredModel");
      expect(service.status).toBe(404);
      expect((await connectError(service)).message).toMatch(
        /^unknown service modelregistry\.v1\.ModelRegistrySevrice; did you mean modelregistry\.v1\.ModelRegistryService\? this server has /,
      );
    });

    it("answers the same over HTTP/2, and a gRPC call of an unknown method with UNIMPLEMENTED", async () => {
      const connect = await h2Request(server.url, { ":method": "POST", ":path": `${SERVICE}/Nope`, "content-type": "application/json" }, "{}");
      expect(connect.status).toBe(404);
      expect(JSON.parse(connect.body)).toEqual({ code: "unimplemented", message: "unknown method Nope of modelregistry.v1.ModelRegistryService" });
      const grpc = await h2Request(
        server.url,
        { ":method": "POST", ":path": `${SERVICE}/Nope`, "content-type": "application/grpc", te: "trailers" },
        "",
      );
      expect(grpc.status).toBe(200);
      expect(grpc.headers["grpc-status"]).toBe("12");
      expect(decodeURIComponent(String(grpc.headers["grpc-message"]))).toBe("unknown method Nope of modelregistry.v1.ModelRegistryService");
    });

    it("keeps GET / a 404, with one line of text, on HTTP/1.1 and HTTP/2", async () => {
      const h1 = await fetch(`${server.url}/`);
      expect(h1.status).toBe(404);
      expect(h1.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const text = await h1.text();
      expect(text).toMatch(
        /^not found: GET \/; the web UI is at \/ui\/; this port serves gRPC, gRPC-Web and Connect .* Kubeflow REST API under \/api\/model_registry\/v1alpha3\/\n$/,
      );
      const h2 = await h2Request(server.url, { ":method": "GET", ":path": "/" });
      expect(h2).toMatchObject({ status: 404, body: text });
      const other = await fetch(`${server.url}/favicon.ico`);
      expect(other.status).toBe(404);
      expect(await other.text()).toMatch(/^not found: GET \/favicon\.ico; /);
    });

    it("leaves the Kubeflow REST gateway's JSON errors as they are", async () => {
      const res = await fetch(`${server.url}/api/model_registry/v1alpha3/nope`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ code: "Not Found", message: "no such endpoint: /api/model_registry/v1alpha3/nope" });
    });
  });
}
