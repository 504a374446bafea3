// The whole product on one machine, offline: a generated portfolio seeded into the HubSpot sandbox,
// the Worker under `wrangler dev`, an install through the sandbox's OAuth consent, then the first
// sync → score → writeback, waited for through the admin's own status API.

import { seedPortal } from "../connectors/hubspot/sandbox/seed.ts";
import { type HubSpotSandbox, startHubSpotSandbox } from "../connectors/hubspot/sandbox/server.ts";
import { HEALTH_FIELDS as SF_FIELDS } from "../connectors/salesforce/map.ts";
import { seedOrg } from "../connectors/salesforce/sandbox/seed.ts";
import {
  type SalesforceSandbox,
  startSalesforceSandbox,
} from "../connectors/salesforce/sandbox/server.ts";
import { seedAccount } from "../connectors/zendesk/sandbox/seed.ts";
import { startZendeskSandbox, type ZendeskSandbox } from "../connectors/zendesk/sandbox/server.ts";
import { addDays } from "../core/day.ts";
import { portfolioAsOf } from "../core/generate/as-of.ts";
import { generatePortfolio } from "../core/generate/generate.ts";
import { demoStateDir, type LocalWorker, startLocalWorker } from "./local-worker.ts";
import { ensurePortFree } from "./port-check.ts";

/** Waits before each try of the status API (the first is at once): about a minute in all. */
export const STATUS_BACKOFF_MS = [0, 500, 1000, 2000, 4000, 8000, 16_000, 30_000];

/**
 * How long one status request may take. Under `wrangler dev` a request made while the queue
 * consumer is busy was seen to get no answer at all (fetch waited for undici's 300-s headers
 * timeout): such a request is abandoned and asked again.
 */
export const STATUS_TIMEOUT_MS = 10_000;

/**
 * The admin's status, asked of the local Worker. A busy machine can leave it slow to answer while a
 * queue batch runs: a refused connection, a 5xx or no answer in time is asked again with backoff,
 * and if it never answers, the error says so with the last lines wrangler printed.
 */
export async function askStatus(
  worker: Pick<LocalWorker, "url" | "output">,
  cookie: string,
  backoffMs: readonly number[] = STATUS_BACKOFF_MS,
  timeoutMs = STATUS_TIMEOUT_MS,
): Promise<DemoStatus> {
  let last: unknown;
  for (const wait of backoffMs) {
    if (wait) await new Promise((r) => setTimeout(r, wait));
    try {
      const res = await fetch(`${worker.url}/admin/api/status`, {
        headers: { cookie },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.ok) return (await res.json()) as DemoStatus;
      last = new Error(`status ${res.status}: ${await res.text()}`);
      if (res.status < 500) break;
    } catch (e) {
      last = e;
    }
  }
  const tail = worker.output().trim().split("\n").slice(-20).join("\n");
  throw new Error(
    `the local Worker stopped answering its status API (${(last as Error).message}); wrangler's last lines:\n${tail}`,
  );
}

/** Days of the generated story that lie after today and are cut off. */
const FUTURE_DAYS = 150;

export interface DemoStatus {
  accounts: number;
  bands: Record<string, number>;
  ended: number;
  atRisk: {
    name: string;
    snapshot: {
      accountId: string;
      score: number;
      band: string;
      trend: string;
      signals: { key: string; risk: number; weight: number; evidence: string }[];
    };
  }[];
  syncs: {
    vendor: string;
    status: string;
    pages: number;
    records: number;
    run_pages: number;
    run_records: number;
    last_success_at: number | null;
    last_error: string | null;
  }[];
  pendingWriteback: number;
  lastScore: {
    accounts: number;
    account_days: number;
    ms: number;
    rows_written: number;
    slices: number;
    longest_ms: number;
  } | null;
  /** The scoring job while one runs: accounts planned and done. */
  scoring: { phase: string; planned: number; done: number } | null;
  connections: { status: string; last_error: string | null }[];
}

export interface LocalDemo {
  worker: LocalWorker;
  sandbox: HubSpotSandbox;
  zendesk: ZendeskSandbox;
  salesforce: SalesforceSandbox;
  adminUrl: string;
  /** The agent's view of a ticket with the Ebb sidebar, for an at-risk and a healthy customer. */
  sidebar: { atRisk?: string; healthy?: string };
  status: DemoStatus;
  timings: { startMs: number; installMs: number; syncMs: number; totalMs: number };
  stop(): Promise<void>;
}

export interface DemoOptions {
  accounts: number;
  seed: number;
  port: number;
  stateName?: string;
  log(line: string): void;
  /** Where the Worker's own output goes (wrangler dev, console.log in the Worker); dropped if unset. */
  workerLog?(line: string): void;
  onProgress?(s: DemoStatus): void;
  /** Sandbox limits (HubSpot's by default). */
  burstPer10s?: number;
  searchPerSecond?: number;
}

async function follow(
  url: string,
  cookie?: string,
): Promise<{ location: string; cookie?: string }> {
  const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
  const location = res.headers.get("location");
  if (!location) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  const set = res.headers.get("set-cookie")?.split(";")[0];
  return { location: new URL(location, url).toString(), ...(set ? { cookie: set } : {}) };
}

/**
 * Install as an admin would: Ebb → HubSpot consent (the sandbox approves) → Ebb's callback, with
 * the install's state cookie going back as a browser's would; returns the admin session's cookie.
 */
export async function installThroughSandbox(workerUrl: string): Promise<string> {
  const consent = await follow(`${workerUrl}/install/hubspot`);
  const callback = await follow(consent.location);
  const login = await follow(callback.location, consent.cookie);
  const signIn = await follow(login.location);
  if (!signIn.cookie) throw new Error("the login link did not start a session");
  return signIn.cookie;
}

/**
 * Connect another vendor to the signed-in admin's tenant as an admin would: the admin's "Connect …"
 * form (with the Zendesk subdomain, for Zendesk) → the link to the vendor's consent (the sandbox
 * approves) → Ebb's callback, with the state cookie the form's answer set.
 */
export async function connectVendor(
  workerUrl: string,
  cookie: string,
  csrf: string,
  vendor: string,
  site?: string,
): Promise<void> {
  const res = await fetch(`${workerUrl}/admin/connect`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf, vendor, ...(site ? { site } : {}) }),
  });
  const html = await res.text();
  const href = /href="([^"]+)" id="continue"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
  if (!res.ok || !href)
    throw new Error(`connect ${vendor} answered ${res.status}: ${html.slice(0, 300)}`);
  const state = res.headers.get("set-cookie")?.split(";")[0] ?? "";
  const callback = await follow(href);
  const back = await fetch(callback.location, {
    redirect: "manual",
    headers: { cookie: `${state}; ${cookie}` },
  });
  if (back.status !== 302)
    throw new Error(`${vendor}'s callback answered ${back.status}: ${await back.text()}`);
}

export const connectZendesk = (
  workerUrl: string,
  cookie: string,
  csrf: string,
  subdomain: string,
) => connectVendor(workerUrl, cookie, csrf, "zendesk", subdomain);

/** The agent's view of a ticket from an at-risk customer and from a healthy one. */
function sidebarPreviews(
  zendesk: ZendeskSandbox,
  workerUrl: string,
  s: DemoStatus,
): { atRisk?: string; healthy?: string } {
  const app = encodeURIComponent(`${workerUrl}/zendesk/sidebar`);
  const ticketOf = (name: string | undefined) => {
    const org = [...zendesk.state.organizations.values()].find((o) => o.data.name === name)?.data;
    if (!org) return undefined;
    const t = [...zendesk.state.tickets.values()]
      .filter((x) => x.data.organization_id === org.id)
      .at(-1);
    return t ? `${zendesk.url}/agent/tickets/${t.data.id}?app=${app}` : undefined;
  };
  const healthy = [...zendesk.state.organizations.values()].find(
    (o) => o.data.organization_fields.ebb_health_band === "healthy",
  )?.data.name;
  const atRisk = ticketOf(s.atRisk[0]?.name);
  const calm = ticketOf(healthy);
  return { ...(atRisk ? { atRisk } : {}), ...(calm ? { healthy: calm } : {}) };
}

export async function startLocalDemo(o: DemoOptions): Promise<LocalDemo> {
  const t0 = Date.now();
  // A port in use fails here, naming its holder, before anything is started.
  await ensurePortFree(o.port);
  const today = new Date().toISOString().slice(0, 10);
  // Two years of history ending yesterday (the Worker scores through today), cut from a longer
  // generated story so that some accounts are decaying now rather than all having churned already.
  const generated = generatePortfolio({
    accounts: o.accounts,
    seed: o.seed,
    start: addDays(today, -730),
    days: 730 + FUTURE_DAYS,
  });
  const asOf = portfolioAsOf(generated.portfolio, today);
  const seeded = seedPortal(asOf);
  const sandbox = await startHubSpotSandbox({
    state: seeded.state,
    ...(o.burstPer10s ? { burstPer10s: o.burstPer10s } : {}),
    ...(o.searchPerSecond ? { searchPerSecond: o.searchPerSecond } : {}),
  });
  o.log(
    `HubSpot sandbox on ${sandbox.url}: ${o.accounts} companies with two years of tickets, engagements and usage`,
  );
  // The same customers' support desk: organizations, end-users and their tickets.
  const zendeskSeed = seedAccount(asOf);
  const zendesk = await startZendeskSandbox({ state: zendeskSeed.state });
  o.log(
    `Zendesk sandbox on ${zendesk.url}: the same ${o.accounts} customers as organizations, with their tickets`,
  );
  // And the CRM the renewals live in: accounts, contacts, cases, activities, renewal opportunities.
  const salesforce = await startSalesforceSandbox({ state: seedOrg(asOf).state });
  o.log(
    `Salesforce sandbox on ${salesforce.url}: the same ${o.accounts} customers as accounts, with contacts, cases, activities and renewals`,
  );
  let worker: LocalWorker;
  try {
    worker = await startLocalWorker({
      port: o.port,
      hubspotUrl: sandbox.url,
      zendesk: { url: zendesk.url, appPublicKey: zendesk.appPublicKey },
      salesforceUrl: salesforce.url,
      stateDir: demoStateDir(o.stateName ?? "demo-state"),
      ...(o.workerLog ? { log: o.workerLog } : {}),
    });
  } catch (e) {
    await sandbox.close();
    await zendesk.close();
    await salesforce.close();
    throw e;
  }
  const stop = async () => {
    await worker.stop();
    await sandbox.close();
    await zendesk.close();
    await salesforce.close();
  };
  try {
    const started = Date.now();
    o.log(`Worker under wrangler dev on ${worker.url} (local D1, Durable Objects, queue)`);
    const cookie = await installThroughSandbox(worker.url);
    const installed = Date.now();
    o.log("Installed: tenant and HubSpot connection created, first full sync queued");
    const status = () => askStatus(worker, cookie);
    let s = await status();
    for (;;) {
      o.onProgress?.(s);
      const sync = s.syncs[0];
      if (sync?.last_success_at && s.lastScore && !s.scoring && s.pendingWriteback === 0) break;
      if (s.connections[0]?.status === "error")
        throw new Error(`connection failed: ${s.connections[0].last_error}`);
      if (Date.now() - installed > 15 * 60_000)
        throw new Error("sync did not finish within 15 minutes");
      await new Promise((r) => setTimeout(r, 500));
      s = await status();
    }
    const session = (await (
      await fetch(`${worker.url}/admin/api/session`, { headers: { cookie } })
    ).json()) as { csrf: string };
    await connectZendesk(worker.url, cookie, session.csrf, zendesk.subdomain);
    o.log("Zendesk connected to the same tenant: its first sync queued");
    await connectVendor(worker.url, cookie, session.csrf, "salesforce");
    o.log("Salesforce connected to the same tenant (OAuth with PKCE): its first sync queued");
    for (;;) {
      o.onProgress?.(s);
      const written =
        [...zendesk.state.organizations.values()].every(
          (x) => x.data.organization_fields.ebb_health_band != null,
        ) &&
        [...salesforce.state.table("Account").values()].every((a) => a[SF_FIELDS.band] != null);
      if (
        written &&
        s.syncs.length === 3 &&
        s.syncs.every((y) => y.last_success_at) &&
        !s.scoring &&
        s.pendingWriteback === 0
      )
        break;
      const failed = s.connections.find((c) => c.status === "error");
      if (failed) throw new Error(`connection failed: ${failed.last_error}`);
      if (Date.now() - installed > 20 * 60_000)
        throw new Error("the Zendesk and Salesforce syncs did not finish within 20 minutes");
      await new Promise((r) => setTimeout(r, 500));
      s = await status();
    }
    const synced = Date.now();
    const link = await fetch(`${worker.url}/admin/api/login-links`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": session.csrf },
    });
    const { url: adminUrl } = (await link.json()) as { url: string };
    return {
      worker,
      sandbox,
      zendesk,
      salesforce,
      adminUrl,
      sidebar: sidebarPreviews(zendesk, worker.url, s),
      status: s,
      timings: {
        startMs: started - t0,
        installMs: installed - started,
        syncMs: synced - installed,
        totalMs: synced - t0,
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
