import { defineConfig } from "vitest/config";

export default defineConfig({
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
