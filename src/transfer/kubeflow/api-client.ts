import http from "node:http";

/** A Kubeflow REST object as JSON. */
export type KubeflowObject = Record<string, unknown>;

/** Where Kubeflow's Model Registry REST API lives below a server's base URL. */
export const KUBEFLOW_PREFIX = "/api/model_registry/v1alpha3";

/** The calls the importer makes to a Kubeflow Model Registry REST API (the source, or the target's own gateway). */
export interface KubeflowApi {
  /** Describes the API in messages (the source's URL, or "the target"). */
  readonly where: string;
  get(path: string): Promise<KubeflowObject>;
  post(path: string, body: KubeflowObject): Promise<KubeflowObject>;
  patch(path: string, body: KubeflowObject): Promise<KubeflowObject>;
}

/** A response other than 2xx. */
export class KubeflowApiError extends Error {
  override name = "KubeflowApiError";
}

/** A Kubeflow Model Registry over HTTP(S) at base (e.g. http://host:8080), with an optional bearer token. */
export function httpKubeflowApi(base: string, token?: string): KubeflowApi {
  const root = base.replace(/\/+$/, "").replace(new RegExp(`${KUBEFLOW_PREFIX}$`), "");
  const call = async (method: string, path: string, body?: KubeflowObject) => {
    const response = await fetch(`${root}${KUBEFLOW_PREFIX}${path}`, {
      method,
      headers: {
        accept: "application/json",
        ...(body ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return answer(method, `${root}${KUBEFLOW_PREFIX}${path}`, response.status, await response.text());
  };
  return {
    where: root,
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body),
    patch: (path, body) => call("PATCH", path, body),
  };
}

/** A Kubeflow REST API served on a Unix socket (the target's own gateway, which only this process can reach). */
export function socketKubeflowApi(socketPath: string, actor: string): KubeflowApi {
  const call = (method: string, path: string, body?: KubeflowObject) =>
    new Promise<KubeflowObject>((resolve, reject) => {
      const payload = body ? JSON.stringify(body) : undefined;
      const request = http.request(
        {
          socketPath,
          method,
          path: `${KUBEFLOW_PREFIX}${path}`,
          headers: {
            accept: "application/json",
            "x-actor": actor,
            ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
          },
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => {
            try {
              resolve(answer(method, `the target's ${path}`, response.statusCode ?? 0, text));
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      request.on("error", reject);
      request.end(payload);
    });
  return {
    where: "the target",
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body),
    patch: (path, body) => call("PATCH", path, body),
  };
}

function answer(method: string, url: string, status: number, text: string): KubeflowObject {
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new KubeflowApiError(`${method} ${url}: ${status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (status < 200 || status > 299) {
    const message = typeof body === "object" && body !== null && "message" in body ? String(body.message) : text.slice(0, 200);
    throw new KubeflowApiError(`${method} ${url}: ${status} ${message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new KubeflowApiError(`${method} ${url}: not a JSON object`);
  return { ...body };
}

/** Every item of a Kubeflow list endpoint, page by page (pageSize, nextPageToken), oldest id first. */
export async function* listAll(api: KubeflowApi, path: string, pageSize: number): AsyncGenerator<KubeflowObject> {
  let token = "";
  for (;;) {
    const query = new URLSearchParams({ pageSize: String(pageSize), orderBy: "ID", sortOrder: "ASC", ...(token ? { nextPageToken: token } : {}) });
    const page = await api.get(`${path}?${query}`);
    const items = Array.isArray(page.items) ? page.items : [];
    for (const item of items) if (typeof item === "object" && item !== null && !Array.isArray(item)) yield { ...item };
    token = typeof page.nextPageToken === "string" ? page.nextPageToken : "";
    if (token === "" || items.length === 0) return;
  }
}
