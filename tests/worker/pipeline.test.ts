// Install → queue → sync → score → writeback, through the real queue in workerd and the HubSpot
// sandbox; then cron plans the next, incremental, sync; the admin pages show the result.
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hashSecret } from "../../app/db/sessions-repo.ts";
import worker from "../../app/index.ts";
import { checkWrittenTasks } from "../../connectors/hubspot/sandbox/written.ts";
import {
  callCount,
  callsSince,
  worker as http,
  install,
  sandbox,
  signIn,
  until,
} from "./support/helpers.ts";

interface Status {
  accounts: number;
  pendingWriteback: number;
  bands: Record<string, number>;
  ended: number;
  syncs: { status: string; last_success_at: number | null; pages: number; run_pages: number }[];
  lastScore: { accounts: number; at: number } | null;
  scoring: { planned: number; done: number } | null;
  atRisk: { name: string }[];
}

const status = async (cookie: string) =>
  (await (await http("/admin/api/status", { headers: { cookie } })).json()) as Status;

describe("the pipeline", () => {
  let cookie = "";

  it("installs, syncs, scores and writes back through the queue", async () => {
    const { loginPath } = await install();
    cookie = await signIn(loginPath);
    const s = await until("sync, score and writeback", async () => {
      const x = await status(cookie);
      return x.syncs[0]?.last_success_at && x.pendingWriteback === 0 && x.lastScore && !x.scoring
        ? x
        : undefined;
    });
    expect(s.accounts).toBe(12);
    expect(Object.values(s.bands).reduce((a, b) => a + b, 0) + s.ended).toBe(12);
    type Sandboxed = {
      results: {
        id: string;
        properties: Record<string, string>;
        associations: Record<string, string[]>;
      }[];
    };
    const companies = await sandbox<Sandboxed>("/__sandbox/objects/companies");
    // A churned customer ends in a final state, never in the band it had before it left.
    const churned = companies.results.filter((c) => c.properties.ebb_health_band === "churned");
    expect(churned).toHaveLength(s.ended);
    for (const c of churned) {
      expect(c.properties.ebb_health_score).toBe("");
      expect(c.properties.ebb_health_reasons).toMatch(/^Churned on \d{4}-\d{2}-\d{2}/);
    }
    const scored = companies.results.filter((c) => !churned.includes(c));
    expect(scored.every((c) => /^\d+$/.test(c.properties.ebb_health_score ?? ""))).toBe(true);
    // Tasks written at install describe the account as it is that day: due no earlier than the
    // day written, and only for an account at risk or decaying below healthy then.
    const tasks = (await sandbox<Sandboxed>("/__sandbox/objects/tasks")).results;
    const report = checkWrittenTasks(companies.results, tasks);
    // One task per account alerting now (the story is cut at today, so how many varies by date).
    expect(report.tasks).toBe(s.atRisk.length);
    expect(report.overdue).toEqual([]);
    expect(report.calm).toEqual([]);
  });

  it("cron plans an incremental sync that reads far less than the first, then rescores and writes back", async () => {
    const before = await status(cookie);
    const firstPages = before.syncs[0]?.pages ?? 0;
    const from = await callCount();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/15 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const after = await until("the cron sync", async () => {
      const x = await status(cookie);
      const s = x.syncs[0];
      const newer = (s?.last_success_at ?? 0) > (before.syncs[0]?.last_success_at ?? 0);
      const rescored = (x.lastScore?.at ?? 0) > (before.lastScore?.at ?? 0);
      return s?.status === "idle" && newer && rescored && !x.scoring && x.pendingWriteback === 0
        ? x
        : undefined;
    });
    const runPages = after.syncs[0]?.run_pages ?? 0;
    expect(runPages).toBeGreaterThan(0);
    expect(runPages).toBeLessThan(firstPages);
    const calls = (await callsSince(from)).filter((c) => c.path.startsWith("/crm"));
    expect(calls.length).toBeGreaterThan(0);
  });

  it("shows the portfolio, the at-risk list and an account with its chart and reasons", async () => {
    const page = await (await http("/admin", { headers: { cookie } })).text();
    expect(page).toContain("Portfolio health");
    expect(page).toContain("Connections and sync");
    expect(page).toMatch(/At risk or decaying \(\d+\)/);
    const companies = await sandbox<{ results: { id: string }[] }>("/__sandbox/objects/companies");
    let account = "";
    for (const c of companies.results) {
      account = await (
        await http(`/admin/accounts/hs-company-${c.id}`, { headers: { cookie } })
      ).text();
      if (account.includes("<svg")) break;
    }
    expect(account).toContain('<svg class="chart"');
    expect(account).toContain("Signals");
    expect(account).toMatch(/class="signal-row"/);
  });

  it("lists every account with headers, filters, sorts, pages and exports the view as CSV", async () => {
    const page = async (q = "") => {
      const res = await http(`/admin/accounts${q}`, { headers: { cookie } });
      expect(res.status, q).toBe(200);
      return res.text();
    };
    const all = await page();
    expect(all).toContain("Accounts (12)");
    for (const h of ["Account", "Owner", "Score", "Band", "Trend", "Stage", "ARR", "Renewal"])
      expect(all).toContain(`>${h}`);
    const csv = async (q = "") => {
      const res = await http(`/admin/accounts.csv${q}`, { headers: { cookie } });
      expect(res.headers.get("content-type")).toContain("text/csv");
      return (await res.text()).trim().split("\n");
    };
    const rows = await csv();
    expect(rows[0]).toBe("id,name,owner,score,band,trend,stage,arr,renewalAt,scoredOn,vendors");
    expect(rows).toHaveLength(13);
    // Sorted by score, lowest first by default; descending on request.
    const scores = (lines: string[]) => lines.slice(1).map((l) => Number(l.split(",")[3]));
    const up = scores(rows);
    expect(up).toEqual([...up].sort((a, b) => a - b));
    const down = scores(await csv("?sort=score&dir=desc"));
    expect(down).toEqual([...up].sort((a, b) => b - a));
    // A band filter keeps only that band, in the page and in the export.
    const band = rows[1]?.split(",")[4] ?? "";
    const banded = await csv(`?band=${band}`);
    expect(banded.length).toBeGreaterThan(1);
    expect(banded.slice(1).every((l) => l.split(",")[4] === band)).toBe(true);
    expect(await page(`?band=${band}`)).toContain(`Accounts (${banded.length - 1})`);
    // An owner, an ARR range and a vendor filter combine.
    const owner = rows[1]?.split(",")[2] ?? "";
    const arr = Number(rows[1]?.split(",")[7]);
    const one = await csv(
      `?owner=${encodeURIComponent(owner)}&arrMin=${arr}&arrMax=${arr}&vendor=hubspot`,
    );
    expect(
      one.slice(1).every((l) => l.split(",")[2] === owner && Number(l.split(",")[7]) === arr),
    ).toBe(true);
    expect(one.length).toBeGreaterThan(1);
    expect((await csv("?vendor=zendesk")).length).toBe(1);
    // Search by name; a bad filter is named.
    const name = rows[1]?.split(",")[1] ?? "";
    expect(await page(`?q=${encodeURIComponent(name.slice(0, 5))}`)).toContain(name);
    const bad = await http("/admin/accounts?band=purple", { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("band");
  });

  it("keeps a CSM's snooze of an account's alerts, with its note, until it is ended", async () => {
    const { csrf } = (await (await http("/admin/api/session", { headers: { cookie } })).json()) as {
      csrf: string;
    };
    const csv = await (await http("/admin/accounts.csv", { headers: { cookie } })).text();
    const id = csv.split("\n")[1]?.split(",")[0] ?? "";
    const post = (body: Record<string, string>) =>
      http(`/admin/accounts/${encodeURIComponent(id)}/snooze`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf, ...body }),
      });
    const until = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    expect((await post({ until, note: "Budget review until the new quarter" })).status).toBe(303);
    const page = async () =>
      (await http(`/admin/accounts/${encodeURIComponent(id)}`, { headers: { cookie } })).text();
    const snoozed = await page();
    expect(snoozed).toContain(`Alerts snoozed until <strong>${until}</strong>`);
    expect(snoozed).toContain("Budget review until the new quarter");
    // A day already past, a wrong date or a foreign CSRF token is refused.
    expect((await post({ until: "2000-01-01" })).status).toBe(400);
    expect((await post({ until: "soon" })).status).toBe(400);
    const forged = await http(`/admin/accounts/${encodeURIComponent(id)}/snooze`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: "nope", until }),
    });
    expect(forged.status).toBe(403);
    expect((await post({})).status).toBe(303);
    expect(await page()).toContain("Alerts are not snoozed.");
  });

  it("previews a settings draft by a backtest before saving, saves it (recorded, rescored), and undoes it", async () => {
    const { csrf } = (await (await http("/admin/api/session", { headers: { cookie } })).json()) as {
      csrf: string;
    };
    const page = await (await http("/admin/settings", { headers: { cookie } })).text();
    // The form as the page renders it: every input's name and value.
    const form = new URLSearchParams({ csrf });
    for (const m of page.matchAll(/<input[^>]*>/g)) {
      const tag = m[0];
      const name = /name="([^"]+)"/.exec(tag)?.[1];
      const value = /value="([^"]*)"/.exec(tag)?.[1] ?? "";
      if (!name || name === "csrf" || name === "id") continue;
      if (tag.includes('type="checkbox"') && !/checked/.test(tag)) continue;
      form.set(name, value);
    }
    expect(form.get("bands.healthy")).toBe("70");
    const post = (path: string, f: URLSearchParams) =>
      http(path, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: f,
      });
    const draft = new URLSearchParams(form);
    draft.set("bands.healthy", "90");
    draft.set("bands.atRisk", "80");
    draft.set("tasks.urgentBelow", "60");
    const preview = await post("/admin/settings/preview", draft);
    expect(preview.status).toBe(200);
    const shown = await preview.text();
    const figures = [...shown.matchAll(/<td class="draft-figure">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(figures).toHaveLength(5);
    // Stricter lines raise more tasks than the settings in force, and nothing is saved yet.
    const tasks =
      /Tasks raised in the last quarter<\/th><td>(\d+)<\/td><td class="draft-figure">(\d+)/.exec(
        shown,
      );
    expect(Number(tasks?.[2])).toBeGreaterThan(Number(tasks?.[1]));
    expect(shown).toContain("bands.healthy: 70 → 90");
    expect(await (await http("/admin/settings", { headers: { cookie } })).text()).toContain(
      "default settings are in force.",
    );
    // Out of order: refused, the field named.
    const bad = new URLSearchParams(draft);
    bad.set("bands.atRisk", "95");
    const refused = await post("/admin/settings/preview", bad);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("bands.atRisk");

    const saved = await post("/admin/settings", draft);
    expect(saved.status).toBe(200);
    const after = await saved.text();
    // Exactly the fields changed, nothing else.
    expect(after).toContain(
      "Saved: bands.atRisk: 45 → 80; bands.healthy: 70 → 90; tasks.urgentBelow: 25 → 60. Every",
    );
    const s = await until("rescored under the new bands", async () => {
      const x = await status(cookie);
      return !x.scoring && x.pendingWriteback === 0 ? x : undefined;
    });
    expect(s.bands.healthy ?? 0).toBeLessThan(12);
    const history = await (await http("/admin/settings", { headers: { cookie } })).text();
    expect(history).toMatch(/by [^:]+: bands\.atRisk: 45 → 80/);
    const changeId = /name="id" value="(\d+)"/.exec(history)?.[1] ?? "";
    const undo = await post("/admin/settings/undo", new URLSearchParams({ csrf, id: changeId }));
    expect(await undo.text()).toContain("Saved: bands.atRisk: 80 → 45");
    const again = await post("/admin/settings/undo", new URLSearchParams({ csrf, id: changeId }));
    expect(again.status).toBe(409);
    await until("rescored back", async () => {
      const x = await status(cookie);
      return !x.scoring && x.pendingWriteback === 0 ? x : undefined;
    });
  });

  it("logs what was written where, serves the trust, preview and live sync pages, and htmx", async () => {
    const log = await (await http("/admin/writeback", { headers: { cookie } })).text();
    expect(log).toContain("Fields");
    expect(log).toMatch(/https:\/\/app\.hubspot\.com\/contacts\/\d+\/record\/0-2\/\d+/);
    const trust = await (await http("/admin/trust", { headers: { cookie } })).text();
    expect(trust).toMatch(/id="too-few"|id="preview-figures"/);
    expect(trust).toContain("Data age per source");
    const csv = await (await http("/admin/accounts.csv", { headers: { cookie } })).text();
    const id = csv.split("\n")[1]?.split(",")[0] ?? "";
    const previews = await (
      await http(`/admin/previews/${encodeURIComponent(id)}`, { headers: { cookie } })
    ).text();
    expect(previews).toContain('id="preview-hubspot"');
    expect(previews).toMatch(/Health \d+\/100/);
    const account = await (
      await http(`/admin/accounts/${encodeURIComponent(id)}`, { headers: { cookie } })
    ).text();
    expect(account).toContain('id="timeline"');
    expect(account).toMatch(/class="timeline-entry timeline-(ticket|engagement|band|task)"/);
    const fragment = await http("/admin/fragments/sync", { headers: { cookie } });
    expect(await fragment.text()).toContain('hx-get="/admin/fragments/sync"');
    const page = await (await http("/admin", { headers: { cookie } })).text();
    const src = /<script src="([^"]+)"/.exec(page)?.[1] ?? "";
    const js = await http(src);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(await js.text()).toContain("htmx");
  });

  it("sends security headers on admin pages and never lets them be cached", async () => {
    for (const path of ["/admin", "/admin/api/session", "/admin/api/status"]) {
      const res = await http(path, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("frame-ancestors 'none'");
      // The one script is htmx from this Worker: no inline script, no other origin.
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain("unsafe-eval");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
  });

  it("answers malformed form data with 400, not 500", async () => {
    const res = await http("/admin/sync", {
      method: "POST",
      headers: { cookie, "content-type": "multipart/form-data" },
      body: "not a multipart body",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_form" });
  });

  it("sync now needs the session's CSRF token", async () => {
    const bad = await http("/admin/sync", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "csrf=wrong",
    });
    expect(bad.status).toBe(403);
    const { csrf } = (await (await http("/admin/api/session", { headers: { cookie } })).json()) as {
      csrf: string;
    };
    const ok = await http("/admin/sync", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(ok.status).toBe(303);
  });
});

describe("admin sessions", () => {
  it("sign out ends the session on the server: the same cookie is refused afterwards", async () => {
    const { loginPath } = await install();
    const cookie = await signIn(loginPath);
    const { csrf } = (await (await http("/admin/api/session", { headers: { cookie } })).json()) as {
      csrf: string;
    };
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const forged = await http("/admin/logout", {
      method: "POST",
      headers: { cookie, ...form },
      body: "csrf=wrong",
    });
    expect(forged.status).toBe(403);
    const out = await http("/admin/logout", {
      method: "POST",
      headers: { cookie, ...form },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(out.status).toBe(200);
    expect(await out.text()).toContain("Signed out");
    // A copy of the cookie kept elsewhere no longer signs anyone in.
    expect((await http("/admin/api/status", { headers: { cookie } })).status).toBe(401);
  });

  it("a login link minted by a session starts a session that ends when the minting one would", async () => {
    const { loginPath } = await install();
    const cookie = await signIn(loginPath);
    const expiry = async (c: string) =>
      (
        await env.DB.prepare("SELECT expires_at FROM sessions WHERE id_hash = ?")
          .bind(await hashSecret(c.replace(/^ebb_session=/, "")))
          .first<{ expires_at: number }>()
      )?.expires_at ?? 0;
    const first = await expiry(cookie);
    const { csrf } = (await (await http("/admin/api/session", { headers: { cookie } })).json()) as {
      csrf: string;
    };
    const link = (await (
      await http("/admin/api/login-links", {
        method: "POST",
        headers: { cookie, "x-csrf-token": csrf },
      })
    ).json()) as { url: string };
    await new Promise((r) => setTimeout(r, 20));
    const url = new URL(link.url);
    const second = await signIn(`${url.pathname}${url.search}`);
    expect(second).not.toBe(cookie);
    expect(first).toBeGreaterThan(Date.now());
    expect(await expiry(second)).toBeLessThanOrEqual(first);
  });
});
