import { ModelRegistryService } from "../../../../gen/modelregistry/v1/model_registry_service_pb.js";

/** The registry's RPCs, for connect-query's useQuery and useMutation. */
export const rpc = ModelRegistryService.method;
