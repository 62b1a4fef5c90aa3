import { startChild } from "../child.js";
const server = startChild("./server.ts", ["--database", `sqlite:${process.argv[2]}`], { cpu: 0 });
console.log("server", await server.ready);
const load = startChild("./load/worker.ts", [], { cpu: 1 });
console.log("load", await load.ready);
console.log(await server.request({ cmd: "echo-from", modelId: 1, versionId: 11 }));
await load.request({ close: true }); await server.request({ cmd: "stop" });
