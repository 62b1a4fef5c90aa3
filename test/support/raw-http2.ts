import http2 from "node:http2";

export interface RawHttp2Response {
  /** Response headers (`:status` included); a trailers-only gRPC answer has grpc-status here. */
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: string;
}

/** One request over a fresh HTTP/2 connection, sent whole, with what came back. */
export async function rawHttp2Request(url: string, headers: http2.OutgoingHttpHeaders, body?: string | Buffer): Promise<RawHttp2Response> {
  const session = http2.connect(url);
  session.on("error", () => {});
  try {
    return await new Promise<RawHttp2Response>((resolve, reject) => {
      const stream = session.request(headers);
      const res: RawHttp2Response = { headers: {}, trailers: {}, body: "" };
      stream.on("response", (h) => (res.headers = h));
      stream.on("trailers", (t) => (res.trailers = t));
      stream.on("data", (d: Buffer) => (res.body += d.toString()));
      stream.on("close", () => resolve(res));
      stream.on("error", reject);
      stream.end(body);
    });
  } finally {
    session.close();
  }
}
