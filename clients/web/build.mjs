// Builds the web UI into dist/ui (`npm run build` runs it after the server's tsc). Vite writes into a
// fresh folder that then replaces dist/ui by rename, so a server reading dist/ui never sees it half
// written (tests build while other tests serve it). NODE_ENV is production whatever the caller's
// (vitest sets "test", which would make React's development build).
import { existsSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

process.env.NODE_ENV = "production";
const { build } = await import("vite");
const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "..", "dist", "ui");
const fresh = `${target}.new-${process.pid}`;
const old = `${target}.old-${process.pid}`;
await build({ configFile: join(here, "vite.config.ts"), logLevel: "warn", build: { outDir: fresh, emptyOutDir: true } });
if (existsSync(target)) renameSync(target, old);
renameSync(fresh, target);
rmSync(old, { recursive: true, force: true });
