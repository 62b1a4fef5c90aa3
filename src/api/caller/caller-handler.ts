import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { AuthenticationMethod, CallerSchema } from "../../../gen/modelregistry/v1/caller_pb.js";
import type { CallGuard } from "../../auth/call-guard.js";
import type { Identity } from "../../auth/identity.js";
import { IDENTITY_KEY } from "../shared/auth-interceptor.js";
import type { Methods } from "../shared/handler-kit.js";

const METHODS: Record<Identity["method"], AuthenticationMethod> = {
  anonymous: AuthenticationMethod.NONE,
  unauthenticated: AuthenticationMethod.ANONYMOUS,
  token: AuthenticationMethod.TOKEN,
  jwt: AuthenticationMethod.JWT,
  certificate: AuthenticationMethod.CERTIFICATE,
};

/** GetCaller: the identity the auth interceptor established for this call, described (src/auth/caller.ts). */
export function createCallerHandler(guard: CallGuard) {
  return {
    async getCaller(_req, ctx) {
      const identity = ctx.values.get(IDENTITY_KEY);
      // The auth interceptor runs on every port before any handler; without it nothing is known.
      if (!identity) throw new Error("GetCaller ran without the auth interceptor");
      const c = guard.describe(identity, ctx.requestHeader);
      return {
        caller: create(CallerSchema, {
          subject: c.subject,
          authenticationMethod: METHODS[c.method],
          authenticationRequired: c.authenticationRequired,
          grants: c.grants,
          globalPermissions: c.globalPermissions,
          protectedAliases: c.protectedAliases,
          ...(c.expiresAt !== undefined ? { expireTime: timestampFromMs(c.expiresAt) } : {}),
        }),
      };
    },
  } satisfies Methods;
}
