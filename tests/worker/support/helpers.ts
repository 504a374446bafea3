// Helpers for the Worker tests: drive the install through the sandbox's consent redirect, sign in,
// reach the sandbox's control routes, and wait for the pipeline.
import { exports } from "cloudflare:workers";
import { inject } from "vitest";

export const sandboxUrl = (): string => inject("hubspotUrl");

export async function sandbox<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${sandboxUrl()}${path}`, init);
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * A request to the Worker. Each comes from its own client address (as Cloudflare's
 * `cf-connecting-ip` gives it) unless the test names one, so per-client rate limits count only
 * what a test means to count.
 */
export const worker = (path: string, init?: RequestInit) => {
  const headers = new Headers(init?.headers);
  if (!headers.has("cf-connecting-ip"))
    headers.set(
      "cf-connecting-ip",
      `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 256)).join(".")}`,
    );
  return exports.default.fetch(
    new Request(`http://127.0.0.1:8787${path}`, { redirect: "manual", ...init, headers }),
  );
};

/**
 * Install as the sandbox's admin: Ebb's redirect → consent → callback. Returns the login path.
 * From `/signin/hubspot`, the same round trip signs in to the existing install.
 */
export async function install(
  from = "/install/hubspot",
): Promise<{ loginPath: string; state: string }> {
  const start = await worker(from);
  const consentUrl = start.headers.get("location") ?? "";
  const state = new URL(consentUrl).searchParams.get("state") ?? "";
  const consent = await fetch(consentUrl, { redirect: "manual" });
  const back = new URL(consent.headers.get("location") ?? "");
  // The same browser: the install's state cookie goes back with the callback.
  const callback = await worker(`${back.pathname}${back.search}`, {
    headers: { cookie: stateCookieOf(start) },
  });
  if (callback.status !== 302)
    throw new Error(`callback ${callback.status}: ${await callback.text()}`);
  return { loginPath: callback.headers.get("location") ?? "", state };
}

/** The `name=value` of the OAuth state cookie an install response set. */
export function stateCookieOf(res: Response): string {
  return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

export async function signIn(loginPath: string): Promise<string> {
  const res = await worker(loginPath);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (!cookie.startsWith("ebb_session="))
    throw new Error(`no session from ${loginPath}: ${res.status}`);
  return cookie;
}

/** Shared with the Node tests (tests/support/wait.ts). */
export { until } from "../../support/wait.ts";

/** A tenant and HubSpot connection made directly (no OAuth, so nothing is queued behind the test). */
export async function directTenant(portalId: string, accessToken = "sandbox-token-0") {
  const { saveInstall } = await import("../../../app/db/directory-repo.ts");
  const { env } = await import("cloudflare:workers");
  const connectionId = crypto.randomUUID();
  await env.GATES.get(env.GATES.idFromName(connectionId)).install(connectionId, "hubspot", {
    accessToken,
    refreshToken: "sandbox-refresh-token",
    expiresAt: Date.now() + 30 * 60_000,
  });
  const row = await saveInstall(env.DB, {
    vendor: "hubspot",
    externalId: portalId,
    tenantName: `Test portal ${portalId}`,
    installedBy: "test@example.com",
    now: Date.now(),
    connectionId,
  });
  return { tenantId: row.tenant_id, connectionId: row.connection_id };
}

/** Sandbox calls made since `from` (an index into the call log). */
export async function callsSince(from: number) {
  const log = await sandbox<{ calls: { method: string; path: string; status: number }[] }>(
    "/__sandbox/calls",
  );
  return log.calls.slice(from);
}

export async function callCount(): Promise<number> {
  return (await sandbox<{ calls: unknown[] }>("/__sandbox/calls")).calls.length;
}

/**
 * Score a tenant through `today` now, slice after slice in this test's own calls, with no
 * follow-ups (the alarm the store sets meanwhile finds the job done, or runs a slice first: each
 * slice is a transaction, so either order scores every account once).
 */
export async function scoreNow(
  store: DurableObjectStub<import("../../../app/tenant/tenant-store.ts").TenantStore>,
  today: string,
  vendors: string[],
  sliceAccounts?: number,
): Promise<{ steps: { accounts: number; records: number }[] }> {
  await store.startScoring(today, vendors, [], sliceAccounts);
  const steps: { accounts: number; records: number }[] = [];
  for (;;) {
    const step = await store.scoreStep();
    if (step.accounts > 0) steps.push({ accounts: step.accounts, records: step.records });
    if (!step.more) return { steps };
  }
}
