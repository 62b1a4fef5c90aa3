import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { DescExtension, DescFile } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

/** gRPC status codes carried in ErrorResponse.error_code. */
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;

/** Lookup tables over `files` and everything they import, built once at registration. */
type ReflectionIndex = {
  /** Service names to list: only those declared in the files passed in, not in their imports. */
  services: string[];
  byFilename: Map<string, DescFile>;
  /** Fully-qualified names (no leading dot) of every declaration, to the file declaring it. */
  bySymbol: Map<string, DescFile>;
  messages: Set<string>;
  /** Extensions by the full name of the message they extend. */
  extensionsOf: Map<string, DescExtension[]>;
  /** Per file: serialized descriptors of it and its transitive imports, imports first, once each. */
  closures: Map<DescFile, Uint8Array[]>;
};

/**
 * Serves grpc.reflection.v1 and v1alpha ServerReflectionInfo on a Connect router, for `buf curl`,
 * grpcurl and friends (@grpc/reflection only attaches to a grpc-js Server). Pass every file whose
 * services the router serves, including the health and reflection files to have them listed.
 */
export function registerReflectionService(router: ConnectRouter, files: DescFile[]): void {
  const index = buildIndex(files);
  router.service(v1.ServerReflection, {
    // Answers each request as it arrives, so it works interactively and when the client sends one
    // request then half-closes (buf curl).
    async *serverReflectionInfo(requests) {
      for await (const request of requests) yield answer(index, request);
    },
  });
  router.service(v1alpha.ServerReflection, {
    // v1alpha is wire-identical to v1: transcode through the binary form rather than duplicate the logic.
    async *serverReflectionInfo(requests) {
      for await (const request of requests) {
        const asV1 = fromBinary(v1.ServerReflectionRequestSchema, toBinary(v1alpha.ServerReflectionRequestSchema, request));
        const response = answer(index, asV1);
        yield fromBinary(v1alpha.ServerReflectionResponseSchema, toBinary(v1.ServerReflectionResponseSchema, response));
      }
    },
  });
}

function buildIndex(files: DescFile[]): ReflectionIndex {
  const index: ReflectionIndex = {
    services: [...new Set(files.flatMap((f) => f.services.map((s) => s.typeName)))],
    byFilename: new Map(),
    bySymbol: new Map(),
    messages: new Set(),
    extensionsOf: new Map(),
    closures: new Map(),
  };
  const encoded = new Map<DescFile, Uint8Array>();
  for (const file of dependencyOrder(files)) {
    index.byFilename.set(file.proto.name, file);
    // The descriptors embedded by protoc-gen-es drop source info and default json_names; fileDesc()
    // restores json_name and the dependency list, which is what clients need to build the schema.
    encoded.set(file, toBinary(FileDescriptorProtoSchema, file.proto));
    indexSymbols(index, file);
  }
  for (const file of index.byFilename.values()) {
    index.closures.set(
      file,
      dependencyOrder([file]).map((f) => encoded.get(f)!),
    );
  }
  return index;
}

/** `files` and their transitive imports, each once, every file after all of its imports. */
function dependencyOrder(files: DescFile[]): DescFile[] {
  const seen = new Set<string>();
  const ordered: DescFile[] = [];
  const visit = (file: DescFile) => {
    if (seen.has(file.proto.name)) return;
    seen.add(file.proto.name);
    file.dependencies.forEach(visit);
    ordered.push(file);
  };
  files.forEach(visit);
  return ordered;
}

function indexSymbols(index: ReflectionIndex, file: DescFile): void {
  const add = (name: string) => index.bySymbol.set(name, file);
  for (const type of nestedTypes(file)) {
    add(type.typeName);
    switch (type.kind) {
      case "message":
        index.messages.add(type.typeName);
        for (const f of type.fields) add(`${type.typeName}.${f.name}`);
        for (const o of type.oneofs) add(`${type.typeName}.${o.name}`);
        break;
      case "enum": {
        // Enum values are scoped as siblings of their enum, not children of it.
        const scope = type.typeName.slice(0, type.typeName.length - type.name.length);
        for (const v of type.values) add(scope + v.name);
        break;
      }
      case "service":
        for (const m of type.methods) add(`${type.typeName}.${m.name}`);
        break;
      case "extension": {
        const list = index.extensionsOf.get(type.extendee.typeName) ?? [];
        list.push(type);
        index.extensionsOf.set(type.extendee.typeName, list);
        break;
      }
    }
  }
}

function answer(index: ReflectionIndex, request: v1.ServerReflectionRequest): v1.ServerReflectionResponse {
  return create(v1.ServerReflectionResponseSchema, {
    validHost: request.host,
    originalRequest: request,
    messageResponse: respond(index, request.messageRequest),
  });
}

function respond(index: ReflectionIndex, req: v1.ServerReflectionRequest["messageRequest"]): v1.ServerReflectionResponse["messageResponse"] {
  switch (req.case) {
    case "listServices":
      return {
        case: "listServicesResponse",
        value: create(v1.ListServiceResponseSchema, { service: index.services.map((name) => ({ name })) }),
      };
    case "fileByFilename":
      return files(index, index.byFilename.get(req.value), `file not found: ${req.value}`);
    case "fileContainingSymbol": {
      const symbol = req.value.replace(/^\./, "");
      return files(index, index.bySymbol.get(symbol), `symbol not found: ${symbol}`);
    }
    case "fileContainingExtension": {
      const type = req.value.containingType.replace(/^\./, "");
      const ext = index.extensionsOf.get(type)?.find((e) => e.number === req.value.extensionNumber);
      return files(index, ext?.file, `extension not found: ${type} ${req.value.extensionNumber}`);
    }
    case "allExtensionNumbersOfType": {
      const type = req.value.replace(/^\./, "");
      if (!index.messages.has(type)) return error(NOT_FOUND, `message type not found: ${type}`);
      const extensionNumber = (index.extensionsOf.get(type) ?? []).map((e) => e.number);
      return {
        case: "allExtensionNumbersResponse",
        value: create(v1.ExtensionNumberResponseSchema, { baseTypeName: type, extensionNumber }),
      };
    }
    default:
      return error(INVALID_ARGUMENT, "no message_request set");
  }
}

function files(index: ReflectionIndex, file: DescFile | undefined, notFound: string): v1.ServerReflectionResponse["messageResponse"] {
  const fileDescriptorProto = file && index.closures.get(file);
  if (!fileDescriptorProto) return error(NOT_FOUND, notFound);
  return {
    case: "fileDescriptorResponse",
    value: create(v1.FileDescriptorResponseSchema, { fileDescriptorProto }),
  };
}

function error(errorCode: number, errorMessage: string): v1.ServerReflectionResponse["messageResponse"] {
  return { case: "errorResponse", value: create(v1.ErrorResponseSchema, { errorCode, errorMessage }) };
}
