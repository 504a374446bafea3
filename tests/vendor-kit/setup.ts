// Global setup for the test-vendor project (runs in Node, outside workerd): the Tally sandbox on a
// free 127.0.0.1 port, seeded with the small generated portfolio the HubSpot tests use (some accounts decaying now, so
// there are tasks to write), stopped when the run ends.
import type { TestProject } from "vitest/node";
import { addDays } from "../../core/day.ts";
import { portfolioAsOf } from "../../core/generate/as-of.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import { startTallySandbox } from "./sandbox.ts";

declare module "vitest" {
  export interface ProvidedContext {
    tallyUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const today = new Date().toISOString().slice(0, 10);
  const p = generatePortfolio({ accounts: 12, seed: 39, start: addDays(today, -730), days: 880 });
  const sandbox = await startTallySandbox(portfolioAsOf(p.portfolio, today));
  project.provide("tallyUrl", sandbox.url);
  return () => sandbox.close();
}
