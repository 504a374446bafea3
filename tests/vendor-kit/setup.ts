// Global setup for the test-vendor project (runs in Node, outside workerd): the Tally sandbox on a
// free 127.0.0.1 port, seeded with the portfolio the HubSpot Worker tests use (some accounts decaying
// now, so there are tasks to write), stopped when the run ends.
import type { TestProject } from "vitest/node";
import { workerTestPortfolio } from "../support/worker-portfolio.ts";
import { startTallySandbox } from "./sandbox.ts";

declare module "vitest" {
  export interface ProvidedContext {
    tallyUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const sandbox = await startTallySandbox(workerTestPortfolio());
  project.provide("tallyUrl", sandbox.url);
  return () => sandbox.close();
}
