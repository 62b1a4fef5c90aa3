import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { ModelRegistryService } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { WebhookService } from "../../gen/modelregistry/v1/webhook_service_pb.js";
import type { CallGuard } from "../auth/call-guard.js";
import type { Registry } from "../registry/shared/registry.js";
import type { WebhookSettings } from "../registry/webhooks/webhook-rules.js";
import type { WatchService } from "../watch/watch-service.js";
import type { WatchFrame } from "./events/event-convert.js";
import { createModelRegistryHandler } from "./model-registry-handler.js";
import { oneOffAttempts } from "../webhooks/one-off.js";
import { eventJson } from "./events/event-convert.js";
import { createWebhookHandler } from "./webhooks/webhook-handler.js";

export interface ServicesOptions {
  registry: Registry;
  /** The change stream behind Watch. */
  watch: WatchService<WatchFrame>;
  shutdownSignal: AbortSignal;
  webhooks: WebhookSettings;
  /** Authentication and authorisation; GetCaller describes its identity. */
  guard: CallGuard;
}

/** A service and its implementation, as each port registers it. */
export interface ServiceEntry {
  service: DescService;
  impl: Partial<ServiceImpl<DescService>>;
}

/** The application's services, the same on every port (the main port's router and the grpc-js fast path). */
export function registryServices(options: ServicesOptions): ServiceEntry[] {
  const { registry, watch, shutdownSignal } = options;
  const oneOff = oneOffAttempts({
    registry,
    settings: options.webhooks,
    encode: (event) => JSON.stringify(eventJson(event)),
    ownerAccess: options.guard.ownerAccess,
  });
  return [
    {
      service: ModelRegistryService,
      impl: createModelRegistryHandler(registry, { watch, shutdownSignal }, options.guard) as ServiceImpl<DescService>,
    },
    { service: WebhookService, impl: createWebhookHandler(registry, options.webhooks, oneOff) as ServiceImpl<DescService> },
  ];
}
