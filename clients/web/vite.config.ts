import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The single-page app of the registry, served by the server under /ui/ (src/ui/static-assets.ts).
// `npm run build` puts it into dist/ui next to the compiled server, so the tarball and image carry it.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/ui/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../../dist/ui", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // No inline <script> or data: modules: the Content-Security-Policy allows scripts from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  worker: { format: "es" },
  server: {
    // `npx vite clients/web` during development: API calls go to a server on 8080.
    proxy: { "/modelregistry.v1.ModelRegistryService": "http://127.0.0.1:8080" },
  },
});
