import net from "node:net";

/** Starting would expose an unauthenticated registry beyond this machine. */
export class InsecureBindError extends Error {
  override name = "InsecureBindError";
}

/**
 * Whether a listen address only accepts connections from this machine: `localhost`, 127.0.0.0/8,
 * ::1 (also as ::ffff:127.x). Any other name is assumed reachable from outside (fail closed).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (h === "localhost") return true;
  if (net.isIPv4(h)) return h.startsWith("127.");
  if (net.isIPv6(h)) return h === "::1" || /^::ffff:127\./.test(h) || h === "0:0:0:0:0:0:0:1";
  return false;
}

/**
 * Refuses to serve a non-loopback address without authentication unless the operator said
 * `--insecure` (say, behind a mesh that authenticates): a registry holds the keys to production,
 * and an open one on 0.0.0.0 is a mistake far more often than a choice.
 */
export function checkBindPolicy(host: string, authEnabled: boolean, insecure: boolean): void {
  if (authEnabled || insecure || isLoopbackHost(host)) return;
  throw new InsecureBindError(
    `refusing to listen on ${host} without authentication: configure --tokens-file, --jwks-file, --jwks-url, ` +
      "--jwt-secret-file or --tls-client-ca, or pass --insecure if something in front of the server authenticates callers",
  );
}
