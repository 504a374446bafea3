// Installing through HubSpot OAuth: the state is single-use, tokens are sealed at rest in the
// connection's gate, and a refresh is made once however many callers ask at the same moment.
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readTokens } from "../../app/gate/tokens-repo.ts";
import appWorker from "../../app/index.ts";
import {
  callCount,
  callsSince,
  install,
  sandboxUrl,
  signIn,
  stateCookieOf,
  worker,
} from "./support/helpers.ts";

/** What an install writes: tenants, connections, installs and the admin's login link. */
const written = async () => {
  const count = async (table: string) =>
    (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? 0;
  return {
    tenants: await count("tenants"),
    connections: await count("connections"),
    installs: await count("installs"),
    loginLinks: await count("login_links"),
  };
};

/** The sealed token row of the sandbox portal's connection. */
const gateTokens = async () => {
  const conn = await env.DB.prepare(
    "SELECT connection_id FROM installs WHERE vendor = 'hubspot' AND external_id = '4000001'",
  ).first<{ connection_id: string }>();
  const gate = env.GATES.get(env.GATES.idFromName(conn?.connection_id ?? ""));
  return runInDurableObject(gate, (_, state) => readTokens(state.storage.sql));
};

describe("OAuth install", () => {
  it("redirects to HubSpot with Ebb's scopes and a state, and ends signed in", async () => {
    const start = await worker("/install/hubspot");
    expect(start.status).toBe(302);
    const to = new URL(start.headers.get("location") ?? "");
    expect(to.origin).toBe(sandboxUrl());
    expect(to.searchParams.get("scope")?.split(" ")).toContain("crm.objects.companies.write");
    expect(to.searchParams.get("state")?.length).toBeGreaterThanOrEqual(40);
    const { loginPath } = await install();
    expect(loginPath).toMatch(/^\/admin\/login\?code=/);
    const cookie = await signIn(loginPath);
    expect((await worker("/admin", { headers: { cookie } })).status).toBe(200);
    // The login link works once.
    expect((await worker(loginPath)).status).toBe(401);
  });

  it("refuses an unknown or reused state and writes nothing", async () => {
    const before = await written();
    const start = await worker("/install/hubspot");
    const cookie = stateCookieOf(start);
    const forged = await worker(
      "/oauth/hubspot/callback?code=sandbox-code&state=forged-state-value",
      { headers: { cookie } },
    );
    expect(forged.status).toBe(400);
    expect(await written()).toEqual(before);

    const state = new URL(start.headers.get("location") ?? "").searchParams.get("state");
    const first = await worker(`/oauth/hubspot/callback?code=sandbox-code&state=${state}`, {
      headers: { cookie },
    });
    expect(first.status).toBe(302);
    const afterFirst = await written();
    expect(afterFirst.loginLinks).toBe(before.loginLinks + 1);
    const again = await worker(`/oauth/hubspot/callback?code=sandbox-code&state=${state}`, {
      headers: { cookie },
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: "invalid_state" });
    expect(await written()).toEqual(afterFirst);
    const missing = await worker("/oauth/hubspot/callback?state=abc");
    expect(missing.status).toBe(400);
  });

  it("refuses a callback opened in a browser that did not start the install, and writes nothing", async () => {
    // An attacker starts an install for their own portal and sends the victim the callback URL.
    const attacker = await worker("/install/hubspot");
    const consent = await fetch(attacker.headers.get("location") ?? "", { redirect: "manual" });
    const back = new URL(consent.headers.get("location") ?? "");
    const before = await written();
    // The victim's browser has no state cookie, or the one of its own, different install.
    const victim = stateCookieOf(await worker("/install/hubspot"));
    for (const headers of [{}, { cookie: victim }] as Record<string, string>[]) {
      const res = await worker(`${back.pathname}${back.search}`, { headers });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "state_not_this_browser" });
      expect(res.headers.get("location")).toBeNull();
    }
    expect(await written()).toEqual(before);
    // The cookie is HttpOnly, scoped to the callback, and short-lived.
    const set = attacker.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/Path=\/oauth\/hubspot\/callback/);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).toMatch(/Max-Age=600/);
  });

  it("answers a valid state with a refused code with 400 (the browser's to retry), not 502", async () => {
    const start = await worker("/install/hubspot");
    const state = new URL(start.headers.get("location") ?? "").searchParams.get("state");
    const before = await written();
    const res = await worker(`/oauth/hubspot/callback?code=expired-code&state=${state}`, {
      headers: { cookie: stateCookieOf(start) },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("code_refused");
    expect(body.message).toContain("BAD_AUTH_CODE");
    expect(body.message).toContain("/install/hubspot");
    expect(await written()).toEqual(before);
  });

  it("purges expired states, sessions and links from the cron by their expiry index, not on every install", async () => {
    const expired = Date.now() - 60_000;
    await env.DB.prepare("INSERT INTO oauth_states (state, vendor, expires_at) VALUES (?, ?, ?)")
      .bind("stale-state", "hubspot", expired)
      .run();
    await worker("/install/hubspot");
    const left = () =>
      env.DB.prepare("SELECT COUNT(*) AS n FROM oauth_states WHERE state = 'stale-state'").first<{
        n: number;
      }>();
    expect((await left())?.n).toBe(1);
    const ctx = createExecutionContext();
    await appWorker.scheduled(createScheduledController({ cron: "*/15 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await left())?.n).toBe(0);
    const plan = await env.DB.prepare(
      "EXPLAIN QUERY PLAN DELETE FROM oauth_states WHERE expires_at < 1",
    ).all<{ detail: string }>();
    expect(plan.results.map((r) => r.detail).join(" ")).toContain("oauth_states_expiry");
  });

  it("shows a person in a browser a page that says what happened and what to do; scripts get JSON", async () => {
    const { loginPath } = await install();
    await signIn(loginPath);
    const html = { accept: "text/html,application/xhtml+xml" };
    const used = await worker(loginPath, { headers: html });
    expect(used.status).toBe(401);
    expect(used.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await used.text();
    expect(page).toContain("this login link is unknown, used or expired");
    expect(page).toContain("Sign in again below");
    expect(page).toContain('<a href="/signin/hubspot">Sign in with HubSpot</a>');
    const noSession = await worker("/admin", { headers: html });
    expect(noSession.status).toBe(401);
    expect(await noSession.text()).toContain('<a href="/signin/hubspot">Sign in with HubSpot</a>');
    const callback = await worker("/oauth/hubspot/callback?code=x&state=y", { headers: html });
    expect(callback.status).toBe(400);
    expect(await callback.text()).toContain("Start the install in this browser");
    // A script asking for JSON, and the admin's API, answer JSON as before.
    expect(await (await worker(loginPath)).json()).toMatchObject({ error: "link_used" });
    const api = await worker("/admin/api/status", { headers: html });
    expect(api.status).toBe(401);
    expect(api.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("signs an admin whose link is used in again through HubSpot, changing nothing else", async () => {
    const { loginPath } = await install();
    await signIn(loginPath);
    expect((await worker(loginPath)).status).toBe(401);
    const before = await written();
    const tokensBefore = await gateTokens();
    const again = await install("/signin/hubspot");
    expect(again.loginPath).toMatch(/^\/admin\/login\?code=/);
    const cookie = await signIn(again.loginPath);
    const status = await worker("/admin/api/status", { headers: { cookie } });
    expect(status.status).toBe(200);
    // The same install: no tenant, connection or install row more, the sealed tokens untouched.
    const { loginLinks: _, ...rows } = await written();
    expect(rows).toEqual({
      tenants: before.tenants,
      connections: before.connections,
      installs: before.installs,
    });
    expect(await gateTokens()).toEqual(tokensBefore);
  });

  it("refuses to sign in to an account Ebb is not installed in, and writes nothing", async () => {
    await install();
    const row = await env.DB.prepare("SELECT * FROM installs WHERE vendor = 'hubspot'").first<
      Record<string, unknown>
    >();
    await env.DB.prepare("DELETE FROM installs WHERE vendor = 'hubspot'").run();
    try {
      const before = await written();
      const start = await worker("/signin/hubspot");
      const consent = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
      const back = new URL(consent.headers.get("location") ?? "");
      const res = await worker(`${back.pathname}${back.search}`, {
        headers: { cookie: stateCookieOf(start), accept: "text/html" },
      });
      expect(res.status).toBe(404);
      const page = await res.text();
      expect(page).toContain("Ebb is not installed for this HubSpot account");
      expect(await written()).toEqual(before);
    } finally {
      const cols = Object.keys(row ?? {});
      await env.DB.prepare(
        `INSERT INTO installs (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
      )
        .bind(...cols.map((k) => row?.[k]))
        .run();
    }
  });

  it("limits how many installs and sign-ins one client starts a minute", async () => {
    const from = { headers: { "cf-connecting-ip": "203.0.113.9" } };
    const statuses: number[] = [];
    for (let k = 0; k < 10; k++) statuses.push((await worker("/install/hubspot", from)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(302));
    const refused = await worker("/install/hubspot", from);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: "too_many_starts" });
    // Another client is not held back by this one.
    expect(
      (await worker("/install/hubspot", { headers: { "cf-connecting-ip": "203.0.113.10" } }))
        .status,
    ).toBe(302);
  });

  it("answers a declined consent with a 400 naming HubSpot's error", async () => {
    const res = await worker("/oauth/hubspot/callback?error=access_denied");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "install_declined" });
  });

  it("seals tokens at rest and refreshes once for twenty concurrent callers", async () => {
    const id = `gate-${crypto.randomUUID()}`;
    const gate = env.GATES.get(env.GATES.idFromName(id));
    // Expiring within the refresh margin: the next caller must refresh.
    await gate.install(id, "hubspot", {
      accessToken: "plain-access-token",
      refreshToken: "sandbox-refresh-token",
      expiresAt: Date.now() + 60_000,
    });
    // Read the gate's own storage, as it sits on disk.
    const sealed = await runInDurableObject(gate, (_, state) => readTokens(state.storage.sql));
    expect(sealed).toBeDefined();
    const stored = `${sealed?.iv}${sealed?.data}${atob(sealed?.data ?? "")}`;
    expect(stored).not.toContain("plain-access-token");
    expect(stored).not.toContain("sandbox-refresh-token");

    const from = await callCount();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => gate.accessToken(id, false)));
    const values = new Set(tokens.map((t) => (t.ok ? t.value.token : t.message)));
    expect(values.size).toBe(1);
    expect([...values][0]).toMatch(/^sandbox-token-/);
    const refreshCalls = (await callsSince(from)).filter((c) => c.path === "/oauth/2026-03/token");
    expect(refreshCalls).toHaveLength(1);
    expect((await gate.status()).refreshes).toBe(1);
    // Fresh now: no further refresh.
    await gate.accessToken(id, false);
    expect((await gate.status()).refreshes).toBe(1);
  });

  it("binds sealed tokens to their connection: a row copied into another connection's gate does not open", async () => {
    const a = `gate-${crypto.randomUUID()}`;
    const b = `gate-${crypto.randomUUID()}`;
    const gateA = env.GATES.get(env.GATES.idFromName(a));
    const gateB = env.GATES.get(env.GATES.idFromName(b));
    const tokens = {
      accessToken: "sandbox-token-0",
      refreshToken: "sandbox-refresh-token",
      expiresAt: Date.now() + 3_600_000,
    };
    await gateA.install(a, "hubspot", tokens);
    await gateB.install(b, "hubspot", tokens);
    expect((await gateA.accessToken(a)).ok).toBe(true);
    // Copy A's sealed row, connection id and all, over B's.
    const row = await runInDurableObject(gateA, (_, state) => readTokens(state.storage.sql));
    await runInDurableObject(gateB, (_, state) => {
      state.storage.sql.exec("DELETE FROM tokens");
      state.storage.sql.exec(
        "INSERT INTO tokens (id, connection_id, vendor, iv, data, expires_at, refreshed_at) VALUES (1, ?, ?, ?, ?, ?, ?)",
        row?.connection_id,
        row?.vendor,
        row?.iv,
        row?.data,
        row?.expires_at,
        Date.now(),
      );
    });
    const copied = await gateB.accessToken(b);
    expect(copied.ok).toBe(false);
    if (!copied.ok) expect(copied.code).toBe("auth");
  });
});
