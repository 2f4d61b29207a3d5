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
    // A generous bound that only fails a stuck test: on a busy 2-core machine (CI shares it) rendering a
    // form and typing into it with user-event takes seconds, and the default 5 s failed good tests.
    testTimeout: 60_000,
  },
});
