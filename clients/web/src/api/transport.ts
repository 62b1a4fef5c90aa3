import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

/**
 * The Connect transport of the page and of the shared watch worker: same origin, binary
 * messages, the bearer token (when there is one) in the authorization header of every call.
 * onUnauthenticated runs when the server refuses the credential, so the UI can ask for another.
 */
export function createRegistryTransport(token: () => string, onUnauthenticated: (message: string) => void): Transport {
  const auth: Interceptor = (next) => async (req) => {
    const value = token();
    if (value !== "") req.header.set("authorization", `Bearer ${value}`);
    try {
      return await next(req);
    } catch (error) {
      const e = ConnectError.from(error);
      if (e.code === Code.Unauthenticated) onUnauthenticated(e.rawMessage);
      throw error;
    }
  };
  return createConnectTransport({ baseUrl: globalThis.location.origin, useBinaryFormat: true, interceptors: [auth] });
}
