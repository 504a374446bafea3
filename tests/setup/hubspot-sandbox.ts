// Vitest global setup for the Worker's tests (runs in Node, outside workerd): a HubSpot, a Zendesk
// and a Salesforce sandbox, each on a free 127.0.0.1 port, seeded with the same small generated
// portfolio, stopped when the run ends. Tests reach them over HTTP, including their /__sandbox
// control routes.
import type { TestProject } from "vitest/node";
import { seedPortal } from "../../connectors/hubspot/sandbox/seed.ts";
import { startHubSpotSandbox } from "../../connectors/hubspot/sandbox/server.ts";
import { seedOrg } from "../../connectors/salesforce/sandbox/seed.ts";
import { startSalesforceSandbox } from "../../connectors/salesforce/sandbox/server.ts";
import { seedAccount } from "../../connectors/zendesk/sandbox/seed.ts";
import { startZendeskSandbox } from "../../connectors/zendesk/sandbox/server.ts";
import { workerTestPortfolio } from "../support/worker-portfolio.ts";

declare module "vitest" {
  export interface ProvidedContext {
    hubspotUrl: string;
    zendeskUrl: string;
    salesforceUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const sandbox = await startHubSpotSandbox({ state: seedPortal(workerTestPortfolio()).state });
  project.provide("hubspotUrl", sandbox.url);
  // The same customers in Zendesk, as a tenant that uses both holds them.
  const zendesk = await startZendeskSandbox({ state: seedAccount(workerTestPortfolio()).state });
  project.provide("zendeskUrl", zendesk.url);
  // And in Salesforce, as a team that keeps renewals there holds them.
  const salesforce = await startSalesforceSandbox({ state: seedOrg(workerTestPortfolio()).state });
  project.provide("salesforceUrl", salesforce.url);
  return async () => {
    await sandbox.close();
    await zendesk.close();
    await salesforce.close();
  };
}
