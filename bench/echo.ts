import { create, createFileRegistry, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { file_modelregistry_v1_model_registry_service, type GetModelVersionResponse } from "../gen/modelregistry/v1/model_registry_service_pb.js";

/**
 * The baseline RPC: `bench.v1.EchoService/Echo` takes a GetModelVersionRequest and answers a
 * fixed GetModelVersionResponse (a real seeded version), so it costs exactly the transport,
 * the interceptors and the codec of GetModelVersion with the same payload sizes — everything
 * but the registry. Defined at run time from a descriptor so that the API's proto stays clean.
 */
export const EchoService: DescService = (() => {
  const file = create(FileDescriptorProtoSchema, {
    name: "bench/v1/echo.proto",
    package: "bench.v1",
    syntax: "proto3",
    dependency: ["modelregistry/v1/model_registry_service.proto"],
    service: [
      {
        name: "EchoService",
        method: [
          {
            name: "Echo",
            inputType: ".modelregistry.v1.GetModelVersionRequest",
            outputType: ".modelregistry.v1.GetModelVersionResponse",
          },
        ],
      },
    ],
  });
  const registry = createFileRegistry(file, (name) =>
    name === "modelregistry/v1/model_registry_service.proto" ? file_modelregistry_v1_model_registry_service : undefined,
  );
  const service = registry.getService("bench.v1.EchoService");
  if (!service) throw new Error("bench.v1.EchoService did not build");
  return service;
})();

/** The echo implementation: the same response object every time (still encoded per call). */
export function echoImpl(response: () => GetModelVersionResponse): Partial<ServiceImpl<DescService>> {
  return {
    echo: async () => response(),
  } as unknown as Partial<ServiceImpl<DescService>>;
}
