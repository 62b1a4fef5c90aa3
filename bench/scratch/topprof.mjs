import { readFileSync } from "node:fs";
const p = JSON.parse(readFileSync(process.argv[2], "utf8"));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas; let total = 0;
for (let i = 0; i < p.samples.length; i++) { const n = byId.get(p.samples[i]); const d = dt[i] ?? 0; total += d; self.set(n.id, (self.get(n.id) ?? 0) + d); }
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const agg = new Map(); const incl = new Map();
for (const [id, t] of self) { const n = byId.get(id); const cf = n.callFrame; const key = `${cf.functionName || "(anon)"} ${cf.url.replace(/.*node_modules\//, "nm/").replace(/.*\/work\/main\//, "")}:${cf.lineNumber}`; agg.set(key, (agg.get(key) ?? 0) + t);
  const seen = new Set(); let cur = id; while (cur !== undefined) { const c = byId.get(cur).callFrame; const k = `${c.functionName || "(anon)"} ${c.url.replace(/.*node_modules\//, "nm/").replace(/.*\/work\/main\//, "")}:${c.lineNumber}`; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + t); } cur = parent.get(cur); } }
const top = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}% ${k}`).join("\n");
console.log("SELF\n" + top(agg, Number(process.argv[3] ?? 30)));
console.log("INCLUSIVE\n" + top(incl, Number(process.argv[4] ?? 40)));
