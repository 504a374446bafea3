// Test runner configuration: where tests live, and stand-ins for HubSpot's UI components.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The HubSpot card imports HubSpot's UI components, which exist only inside HubSpot: tests use stand-ins.
    alias: {
      "@hubspot/ui-extensions": fileURLToPath(
        new URL("./tests/stubs/hubspot-ui-extensions.tsx", import.meta.url),
      ),
    },
  },
  test: {
    include: [
      "core/**/*.test.ts",
      "connectors/**/*.test.ts",
      "cli/**/*.test.ts",
      "app/**/*.test.ts",
      "tests/**/*.test.ts",
    ],
    testTimeout: 60_000,
  },
});
