// Test runner configuration: two projects. "node" runs core, connectors, CLI and cross-folder tests
// in Node; "workers" runs app/ tests inside workerd (D1, Durable Objects, queues) with a HubSpot
// sandbox started in Node by a global setup.
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Tests stay on 127.0.0.1: miniflare uses its default `request.cf` instead of fetching it.
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

/**
 * A project of tests inside workerd (D1 with migrations, SQLite-backed Durable Objects, the queue),
 * with a vendor sandbox started in Node by its global setup.
 */
function workersProject(o: {
  name: string;
  main?: string;
  include: string[];
  exclude?: string[];
  globalSetup: string;
  bindings: (
    inject: (key: "hubspotUrl" | "tallyUrl" | "zendeskUrl" | "salesforceUrl") => string,
  ) => Record<string, string>;
}) {
  return {
    // As in wrangler.toml: the SDK's node-fetch is the Worker's fetch.
    resolve: {
      alias: {
        "node-fetch": fileURLToPath(new URL("./connectors/hubspot/sdk-fetch.ts", import.meta.url)),
      },
    },
    plugins: [
      // wrangler.toml's Text rule, for Vite: the admin's htmx is a string, not a script to run.
      {
        name: "ebb-text-modules",
        enforce: "pre" as const,
        load(id: string) {
          const file = id.split("?")[0] ?? id;
          if (!file.endsWith("/htmx.min.js")) return null;
          return `export default ${JSON.stringify(readFileSync(file, "utf8"))};`;
        },
      },
      cloudflareTest(async ({ inject }) => ({
        ...(o.main ? { main: o.main } : {}),
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations("app/db/migrations"),
            TOKEN_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            ...o.bindings(
              inject as (key: "hubspotUrl" | "tallyUrl" | "zendeskUrl" | "salesforceUrl") => string,
            ),
          },
        },
      })),
    ],
    test: {
      name: o.name,
      // The HubSpot SDK's modules (connectors/hubspot/sdk.ts) are CommonJS requiring node-fetch:
      // pre-bundled for workerd, as wrangler bundles it, with Node's built-ins left to nodejs_compat.
      deps: {
        optimizer: {
          ssr: {
            enabled: true,
            include: [
              "@hubspot/api-client/lib/codegen/crm/associations/v4/index.js",
              "@hubspot/api-client/lib/codegen/crm/objects/index.js",
              "@hubspot/api-client/lib/codegen/crm/owners/index.js",
              "@hubspot/api-client/lib/codegen/crm/properties/index.js",
              "@hubspot/api-client/lib/codegen/oauth/index.js",
              "@hubspot/api-client/lib/src/configuration/ApiClientConfigurator.js",
              // node-zendesk is CommonJS too (its own fetch is never used: connectors/zendesk/client.ts).
              "node-zendesk",
            ],
            rolldownOptions: {
              platform: "node" as const,
              external: [/^node:/, ...builtinModules],
            },
          },
        },
      },
      include: o.include,
      exclude: o.exclude ?? [],
      globalSetup: [o.globalSetup],
      setupFiles: ["tests/worker/support/apply-migrations.ts"],
      // One sandbox serves every file: files run one after another.
      fileParallelism: false,
      testTimeout: 60_000,
    },
  };
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      {
        test: {
          name: "node",
          include: [
            "core/**/*.test.ts",
            "connectors/**/*.test.ts",
            "cli/**/*.test.ts",
            "tests/**/*.test.ts",
          ],
          exclude: [
            "tests/worker/**",
            "tests/**/*.worker.test.ts",
            "tests/e2e/**",
            "tests/local-run.test.ts",
          ],
          testTimeout: 60_000,
        },
      },
      {
        // The tests that start wrangler dev (and Chromium) as a user's machine would: one file at a
        // time, after every other project, so a two-core machine is not running three Workers and
        // the rest of the suite at once.
        test: {
          name: "local-run",
          include: ["tests/e2e/**/*.test.ts", "tests/local-run.test.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          hookTimeout: 180_000,
          testTimeout: 60_000,
        },
      },
      workersProject({
        name: "workers",
        include: ["app/**/*.test.ts", "tests/worker/**/*.test.ts"],
        globalSetup: "tests/setup/hubspot-sandbox.ts",
        bindings: (inject) => ({
          HUBSPOT_API_BASE: inject("hubspotUrl"),
          HUBSPOT_AUTH_BASE: inject("hubspotUrl"),
          HUBSPOT_CLIENT_ID: "sandbox-client",
          HUBSPOT_CLIENT_SECRET: "sandbox-secret",
          ZENDESK_API_BASE: inject("zendeskUrl"),
          ZENDESK_CLIENT_ID: "zdg-ebb-sandbox",
          ZENDESK_CLIENT_SECRET: "sandbox-client-secret",
          SALESFORCE_LOGIN_URL: inject("salesforceUrl"),
          SALESFORCE_CLIENT_ID: "3MVG9Ebb.sandbox",
          SALESFORCE_CLIENT_SECRET: "sandbox-consumer-secret",
        }),
      }),
      // A vendor that exists only in its test folder, through a Worker entry of its own that adds it
      // to the shipped registry.
      workersProject({
        name: "test-vendor",
        main: "./tests/vendor-kit/worker.ts",
        include: ["tests/vendor-kit/**/*.worker.test.ts"],
        globalSetup: "tests/vendor-kit/setup.ts",
        bindings: (inject) => ({
          TALLY_API_BASE: inject("tallyUrl"),
          TALLY_CLIENT_ID: "tally-client",
          TALLY_CLIENT_SECRET: "tally-secret",
        }),
      }),
    ],
  },
});
