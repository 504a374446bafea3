// "Tally", a vendor that exists only in this test: a connector written against the contract alone,
// registered in the test's own Worker entry (worker.ts) and nowhere else. If it goes install → sync →
// score → writeback → view through the Worker, the contract fits a vendor that is not HubSpot.
import { z } from "zod";
import type { Connector, ConnectorContext } from "../../connectors/connector.ts";
import { ConnectorError } from "../../connectors/errors.ts";
import { withRetry } from "../../connectors/limits.ts";
import { emptyBatch, emptyPushResult } from "../../connectors/records.ts";
import type { Tokens } from "../../connectors/tokens.ts";

const TallyConfig = z.object({
  TALLY_CLIENT_ID: z.string().min(1, "TALLY_CLIENT_ID is not set"),
  TALLY_CLIENT_SECRET: z.string().min(1, "TALLY_CLIENT_SECRET is not set"),
  TALLY_API_BASE: z.url().default("https://api.tally.test"),
});
type TallyConfig = z.infer<typeof TallyConfig>;

const TallySettings = z.object({ pageLimit: z.number().int().positive().default(1000) });
type TallySettings = z.infer<typeof TallySettings>;

const Export = z.object({
  customers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      website: z.string().optional(),
      since: z.string().optional(),
      tickets: z.array(
        z.object({
          id: z.string(),
          opened: z.string(),
          closed: z.string().optional(),
          state: z.enum(["new", "open", "pending", "solved", "closed"]),
          rating: z.enum(["good", "bad"]).optional(),
          subject: z.string().optional(),
          body: z.string().optional(),
        }),
      ),
      usage: z.array(
        z.object({ day: z.string(), users: z.number().optional(), events: z.number().optional() }),
      ),
    }),
  ),
  next: z.number().int().nullable(),
});

/** One call through the connection's budget, retried on 429 (after Retry-After) and 5xx. */
function call(ctx: ConnectorContext, path: string, init: RequestInit = {}): Promise<unknown> {
  return withRetry(async () => {
    await ctx.budget.acquire("default");
    const res = await fetch(new URL(path, ctx.baseUrl), {
      ...init,
      headers: {
        authorization: `Bearer ${await ctx.accessToken()}`,
        "content-type": "application/json",
      },
    });
    if (res.status === 401) throw new ConnectorError("auth", `Tally ${path}: 401`, { status: 401 });
    if (res.status === 429)
      throw new ConnectorError("rate_limited", `Tally ${path}: 429`, {
        status: 429,
        retryAfterMs: Number(res.headers.get("retry-after") ?? 1) * 1000,
      });
    if (!res.ok)
      throw new ConnectorError("unavailable", `Tally ${path}: ${res.status}`, {
        status: res.status,
      });
    try {
      return await res.json();
    } catch {
      throw new ConnectorError("invalid_response", `Tally ${path}: the body is not JSON`);
    }
  });
}

async function token(
  config: TallyConfig,
  grant: Record<string, string>,
  now: number,
): Promise<Tokens> {
  const res = await fetch(new URL("/oauth/token", config.TALLY_API_BASE), {
    method: "POST",
    body: new URLSearchParams({
      ...grant,
      client_id: config.TALLY_CLIENT_ID,
      client_secret: config.TALLY_CLIENT_SECRET,
    }),
  });
  if (!res.ok) throw new ConnectorError("auth", `Tally token: ${res.status}`);
  const t = (await res.json()) as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
  };
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: now + t.expires_in * 1000,
  };
}

const hmacKey = (secret: string, usage: "sign" | "verify") =>
  crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [usage],
  );
const signed = (method: string, url: string, body: string) =>
  new TextEncoder().encode(`${method} ${url}\n${body}`);

/** hex(HMAC-SHA256(client secret, "METHOD URL\nBODY")), as the test vendor signs its calls. */
export async function tallySignature(secret: string, method: string, url: string, body: string) {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret, "sign"),
    signed(method, url, body),
  );
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export const tally: Connector<{ after: number }, TallySettings, TallyConfig> = {
  id: "tally",
  label: "Tally",
  settings: TallySettings,
  config: TallyConfig,
  secrets: ["TALLY_CLIENT_ID", "TALLY_CLIENT_SECRET"],
  limits: { default: { max: 50, windowMs: 1000 } },
  apiBaseUrl: (app) => app.config.TALLY_API_BASE,
  writesTasks: true,
  async *pull(ctx, _settings, cursor) {
    let after = cursor?.after ?? 0;
    for (;;) {
      const page = Export.safeParse(await call(ctx, `/v1/export?after=${after}`));
      if (!page.success)
        throw new ConnectorError("invalid_response", "Tally export page is malformed");
      const records = emptyBatch();
      for (const c of page.data.customers) {
        records.accounts.push({
          id: c.id,
          name: c.name,
          domain: c.website,
          customerSince: c.since,
          externalIds: { tally: c.id },
        });
        for (const t of c.tickets)
          records.tickets.push({
            id: t.id,
            accountId: c.id,
            createdAt: t.opened,
            solvedAt: t.closed,
            status: t.state,
            tags: [],
            subject: t.subject,
            text: t.body,
            satisfaction: t.rating,
          });
        for (const u of c.usage)
          records.usage.push({
            accountId: c.id,
            day: u.day,
            activeUsers: u.users,
            events: u.events,
          });
      }
      after = page.data.next ?? after + page.data.customers.length;
      yield { records, cursor: { after }, done: page.data.next === null };
      if (page.data.next === null) return;
    }
  },
  async push(ctx, _settings, changes) {
    const result = emptyPushResult();
    // Only what changed since the last write.
    const items = changes
      .filter(
        (c) =>
          c.lastWritten?.score !== String(c.snapshot.score) ||
          c.lastWritten?.band !== c.snapshot.band,
      )
      .map((c) => ({
        customer: c.externalId,
        score: c.snapshot.score,
        band: c.snapshot.band,
        reasons: c.snapshot.signals
          .filter((s) => s.risk > 0)
          .map((s) => s.key)
          .join(","),
      }));
    if (items.length > 0) {
      await call(ctx, "/v1/health", { method: "POST", body: JSON.stringify({ items }) });
      result.writeCalls++;
      result.updatedRecords += items.length;
    }
    for (const c of changes) {
      result.written[c.externalId] = { score: String(c.snapshot.score), band: c.snapshot.band };
      for (const t of c.tasks) {
        const r = (await call(ctx, `/v1/tasks/${encodeURIComponent(t.dedupeKey)}`, {
          method: "PUT",
          body: JSON.stringify({
            customer: c.externalId,
            title: t.title,
            dueAt: t.dueAt,
            done: t.action === "close",
          }),
        })) as { created: boolean };
        result.writeCalls++;
        if (t.action === "close") result.tasksCompleted++;
        else if (r.created) result.tasksCreated++;
      }
    }
    return result;
  },
  install: {
    authorizeUrl(app, state) {
      const url = new URL("/oauth/authorize", app.config.TALLY_API_BASE);
      url.searchParams.set("client_id", app.config.TALLY_CLIENT_ID);
      url.searchParams.set("redirect_uri", app.redirectUri);
      url.searchParams.set("state", state);
      return url.toString();
    },
    exchangeCode: (app, code, now) =>
      token(
        app.config,
        { grant_type: "authorization_code", code, redirect_uri: app.redirectUri },
        now,
      ),
    refresh: (app, refreshToken, now) =>
      token(app.config, { grant_type: "refresh_token", refresh_token: refreshToken }, now),
    async identify(app, tokens) {
      const res = await fetch(new URL("/v1/me", app.config.TALLY_API_BASE), {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      const me = (await res.json()) as { workspace: string; name: string; user: string };
      return { externalId: me.workspace, tenantName: me.name, user: me.user };
    },
    refreshAheadMs: 60_000,
    setup: async () => ({ created: 0 }),
  },
  async verify(app, r) {
    const given = r.headers.get("x-tally-signature");
    if (!given || !/^([0-9a-f]{2})+$/.test(given)) return { ok: false, reason: "missing" };
    const mac = Uint8Array.from(given.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
    // crypto.subtle.verify compares in constant time.
    const ok = await crypto.subtle.verify(
      "HMAC",
      await hmacKey(app.config.TALLY_CLIENT_SECRET, "verify"),
      mac,
      signed(r.method, r.url, r.body),
    );
    return ok ? { ok: true } : { ok: false, reason: "bad_signature" };
  },
  view: {
    path: "panel",
    target(q) {
      if (!q.workspace || !q.customer)
        return { ok: false, message: "workspace and customer are required" };
      return { ok: true, externalId: q.workspace, recordId: q.customer };
    },
    render: (customer, view) =>
      view
        ? {
            customer,
            headline: `${view.score}/100 (${view.band}, ${view.trend})`,
            why: view.reasons.map((r) => r.evidence),
            days: view.series.length,
          }
        : { customer, headline: "Not scored yet" },
  },
  sandbox: async () => {
    // Loaded by URL, like every connector's sandbox: the Worker's bundle never holds it.
    const harness = new URL("./harness.ts", import.meta.url).href;
    return (await import(/* @vite-ignore */ harness)) as typeof import("./harness.ts");
  },
};
