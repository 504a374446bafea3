// What the Worker tests' global setup provides (tests/setup/hubspot-sandbox.ts).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    hubspotUrl: string;
  }
}
