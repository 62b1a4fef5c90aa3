import { GetModelVersionRequestSchema } from "../../gen/modelregistry/v1/model_registry_service_pb.js";
import { startChild } from "../child.js";
import { encodeBody } from "../load/requests.js";
import type { SliceResult, SliceSpec } from "../load/http2-load.js";
const db = process.argv[2]!;
const server = startChild("./server.ts", ["--database", `sqlite:${db}`], { cpu: 0 });
const load = startChild("./load/worker.ts", [], { cpu: 1 });
const info: any = await server.ready; await load.ready;
await server.request({ cmd: "echo-from", modelId: 1, versionId: 11 });
const names = Array.from({ length: 500 }, (_, i) => `registeredModels/${(i % 10) + 1}/versions/${11 + i * 10 + (i % 10)}`);
async function slice(protocol: "connect-json" | "grpc", port: number, path: string, ms = 2000): Promise<SliceResult> {
  const bodies = names.map((name) => encodeBody(protocol, GetModelVersionRequestSchema, { name }).toString("base64"));
  const spec: SliceSpec = { protocol, port, path, request: { kind: "fixed", bodies }, concurrency: 16, connections: 4, durationMs: ms };
  return load.request({ slice: spec });
}
const G = "/modelregistry.v1.ModelRegistryService/GetModelVersion", E = "/bench.v1.EchoService/Echo";
for (const [label, proto, port] of [["connect-json main", "connect-json", info.port], ["grpc main", "grpc", info.port], ["grpc grpc-js", "grpc", info.grpcPort]] as const) {
  await slice(proto, port, E, 1000);
  for (let k = 0; k < 2; k++) {
    const e = await slice(proto, port, E); const g = await slice(proto, port, G);
    console.log(label, `echo ${e.rps.toFixed(0)}/s p99 ${e.p99Ms.toFixed(2)} cpu ${e.clientCpu.toFixed(2)} err ${e.errors} ${e.firstError ?? ""}`, `| get ${g.rps.toFixed(0)}/s p99 ${g.p99Ms.toFixed(2)} cpu ${g.clientCpu.toFixed(2)} err ${g.errors} ${g.firstError ?? ""}`, (g.rps / e.rps).toFixed(2));
  }
}
await load.request({ close: true }); await server.request({ cmd: "stop" });
