// What the Worker tests get from vitest.config.ts and the global setup (tests/setup/hubspot-sandbox.ts).
import "vitest";
import type { D1Migration } from "cloudflare:test";

declare module "vitest" {
  export interface ProvidedContext {
    hubspotUrl: string;
    zendeskUrl: string;
    salesforceUrl: string;
  }
}

declare global {
  namespace Cloudflare {
    interface Env {
      /** Only in the Worker tests: the D1 migrations, read by vitest.config.ts. */
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
