// A vendor Ebb has never heard of, registered only in this test's Worker entry, goes through the
// Worker in workerd exactly as HubSpot does: install through its OAuth consent, a queued sync of its
// export, scoring, writeback of health and tasks, and its in-vendor view answered from the tenant
// store, with the view refused without the vendor's signature.
import { exports } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { until } from "../worker/support/helpers.ts";
import { tallySignature } from "./connector.ts";
import { TALLY_CLIENT, TALLY_WORKSPACE, type TallyState } from "./sandbox.ts";

const BASE = "http://127.0.0.1:8787";
const worker = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`${BASE}${path}`, { redirect: "manual", ...init }));
const sandbox = async <T>(path: string) =>
  (await (await fetch(`${inject("tallyUrl")}${path}`)).json()) as T;

describe("a test-only vendor through the Worker", () => {
  let cookie = "";
  let state: { health: TallyState["health"]; tasks: TallyState["tasks"] } = {
    health: {},
    tasks: {},
  };

  it("installs through its own OAuth consent and signs the admin in", async () => {
    const start = await worker("/install/tally");
    expect(start.status).toBe(302);
    const consent = new URL(start.headers.get("location") ?? "");
    expect(consent.origin).toBe(inject("tallyUrl"));
    expect(consent.searchParams.get("redirect_uri")).toBe(`${BASE}/oauth/tally/callback`);
    const back = await fetch(consent, { redirect: "manual" });
    const callback = new URL(back.headers.get("location") ?? "");
    const cookie0 = (start.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const done = await worker(`${callback.pathname}${callback.search}`, {
      headers: { cookie: cookie0 },
    });
    expect(done.status).toBe(302);
    const login = await worker(done.headers.get("location") ?? "");
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^ebb_session=/);
  });

  it("syncs, scores and writes health and tasks back to the vendor", async () => {
    const status = await until("sync, score and writeback", async () => {
      const s = (await (await worker("/admin/api/status", { headers: { cookie } })).json()) as {
        accounts: number;
        pendingWriteback: number;
        lastScore: unknown;
        scoring: unknown;
        syncs: { vendor?: string; last_success_at: number | null }[];
      };
      return s.syncs[0]?.last_success_at && s.lastScore && !s.scoring && s.pendingWriteback === 0
        ? s
        : undefined;
    });
    expect(status.accounts).toBe(12);
    state = await until("health in the vendor", async () => {
      const s = await sandbox<TallyState>("/__tally/state");
      return Object.keys(s.health).length > 0 ? s : undefined;
    });
    expect(Object.keys(state.health).length).toBe(12);
    const tasks = Object.values(state.tasks);
    expect(tasks.length).toBeGreaterThan(0);
    for (const t of tasks) expect(Object.keys(state.health)).toContain(t.customer);
    for (const h of Object.values(state.health)) {
      expect(h.score).toBeGreaterThanOrEqual(0);
      expect(h.score).toBeLessThanOrEqual(100);
    }
  });

  it("answers its in-vendor view from the tenant store, signed requests only", async () => {
    const customer = Object.keys(state.health)[0] ?? "";
    const path = `/tally/panel?workspace=${TALLY_WORKSPACE}&customer=${encodeURIComponent(customer)}`;
    const unsigned = await worker(path);
    expect(unsigned.status).toBe(401);
    const signature = await tallySignature(TALLY_CLIENT.secret, "GET", `${BASE}${path}`, "");
    const res = await worker(path, { headers: { "x-tally-signature": signature } });
    expect(res.status).toBe(200);
    const view = (await res.json()) as { customer: string; headline: string; days: number };
    expect(view.customer).toBe(customer);
    const written = state.health[customer];
    expect(view.headline.startsWith(`${written?.score}/100 (${written?.band}, `)).toBe(true);
    expect(view.days).toBeGreaterThan(30);
    const elsewhere = await worker(
      `/tally/panel?workspace=ws-other&customer=${encodeURIComponent(customer)}`,
      {
        headers: {
          "x-tally-signature": await tallySignature(
            TALLY_CLIENT.secret,
            "GET",
            `${BASE}/tally/panel?workspace=ws-other&customer=${encodeURIComponent(customer)}`,
            "",
          ),
        },
      },
    );
    expect(elsewhere.status).toBe(404);
  });
});
