// Vitest global setup for the Worker's tests (runs in Node, outside workerd): one HubSpot sandbox on
// a free 127.0.0.1 port, seeded with a small generated portfolio, stopped when the run ends. Tests
// reach it over HTTP, including its /__sandbox control routes.
import type { TestProject } from "vitest/node";
import { seedPortal } from "../../connectors/hubspot/sandbox/seed.ts";
import { startHubSpotSandbox } from "../../connectors/hubspot/sandbox/server.ts";
import { addDays } from "../../core/day.ts";
import { portfolioAsOf } from "../../core/generate/as-of.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    hubspotUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // Two years of history ending yesterday, cut from a longer story as the demo does, so that some
  // accounts are decaying now (and get tasks) rather than all having churned.
  const today = new Date().toISOString().slice(0, 10);
  const p = generatePortfolio({ accounts: 12, seed: 39, start: addDays(today, -730), days: 880 });
  const current = portfolioAsOf(p.portfolio, today);
  const sandbox = await startHubSpotSandbox({ state: seedPortal(current).state });
  project.provide("hubspotUrl", sandbox.url);
  return () => sandbox.close();
}
