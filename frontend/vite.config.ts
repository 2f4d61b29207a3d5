import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The Go server serves dist/ for every non-API path. In development, `npm run dev`
// proxies the API to a server started with `make run`.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: { proxy: { "/api": "http://localhost:8080" } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});
