import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The dashboard, built into dashboard/dist and served by the API at `/`
// (src/api/plugins/dashboard.ts). `npm run build:dashboard` builds it.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  publicDir: "public",
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite dashboard` during development: the API answers /v1 on its usual port.
    proxy: { "/v1": "http://127.0.0.1:3000", "/admin": "http://127.0.0.1:3000" },
  },
});
