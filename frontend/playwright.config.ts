import { defineConfig } from "@playwright/test";

// End-to-end tests drive Debian's Chromium (never a downloaded browser) against
// a real Skillgate server over a fresh database (e2e/serve.sh), which trusts a
// test OpenID provider with a login page (e2e/testidp.sh, on E2E_PORT + 1000).
const port = Number(process.env.E2E_PORT ?? 18090);
const idpPort = Number(process.env.E2E_IDP_PORT ?? port + 1000);

export default defineConfig({
  testDir: "e2e",
  timeout: 30_000,
  expect: { timeout: 7_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "off",
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: `sh e2e/testidp.sh ${idpPort} ${port}`,
      url: `http://127.0.0.1:${idpPort}/oidc/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: `sh e2e/serve.sh ${port} ${idpPort}`,
      url: `http://127.0.0.1:${port}/readyz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
