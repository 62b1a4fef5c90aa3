import { openStore } from "../../src/store/open-store.js";
import { Registry } from "../../src/registry/registry.js";
const path = process.argv[2]!;
const store = await openStore({ database: `sqlite:${path}` });
const registry = new Registry(store);
const ids = Array.from({ length: 1000 }, (_, j) => [(j % 10) + 1, 11 + j] as const);
async function time(name: string, n: number, fn: (i: number) => Promise<unknown> | unknown) {
  for (let i = 0; i < 3000; i++) await fn(i);
  const c = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const us = ((performance.now() - t) * 1000) / n; const cu = process.cpuUsage(c);
  console.log(`${name}: ${us.toFixed(1)} us/op wall, ${((cu.user + cu.system) / n).toFixed(1)} us/op cpu`);
}
await time("store.read getVersion", 20000, (i) => store.read((r) => r.getVersion(ids[i % ids.length]![1])));
await time("registry.getVersion", 20000, (i) => registry.getVersion({ model: { id: ids[i % ids.length]![0] }, selector: { kind: "id", id: ids[i % ids.length]![1] } }));
await store.close();
