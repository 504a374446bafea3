// Product usage in through Segment's HTTP Tracking API, as a product team would send it: the real
// `@segment/analytics-node` client pointed at Ebb's Worker under wrangler dev (workerd, local D1 and
// Durable Objects), with a write key an admin created in the admin. Group, identify, track and the
// client's own batching land as daily usage on the right accounts; a batch the client sends again
// (its answer lost) counts once; a wrong key is refused loudly; and the calls a webhook destination
// or RudderStack might send malformed or oversize are named while the rest land.
import { randomBytes } from "node:crypto";
import { Analytics } from "@segment/analytics-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askStatus, installThroughSandbox } from "../../cli/local-demo.ts";
import {
  demoStateDir,
  freePort,
  type LocalWorker,
  startLocalWorker,
} from "../../cli/local-worker.ts";
import { seedPortal } from "../../connectors/hubspot/sandbox/seed.ts";
import {
  type HubSpotSandbox,
  startHubSpotSandbox,
} from "../../connectors/hubspot/sandbox/server.ts";
import { addDays } from "../../core/day.ts";
import { portfolioAsOf } from "../../core/generate/as-of.ts";
import { generatePortfolio } from "../../core/generate/generate.ts";
import { until } from "../support/wait.ts";

const today = new Date().toISOString().slice(0, 10);
const portfolio = portfolioAsOf(
  generatePortfolio({ accounts: 6, seed: 61, start: addDays(today, -200), days: 200 }).portfolio,
  today,
);
const [a, b] = portfolio.accounts as [
  (typeof portfolio.accounts)[0],
  (typeof portfolio.accounts)[0],
];

let sandbox: HubSpotSandbox | undefined;
let worker: LocalWorker | undefined;
let cookie = "";
let csrf = "";
let writeKey = "";

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ state: seedPortal(portfolio).state });
  worker = await startLocalWorker({
    port: await freePort(),
    hubspotUrl: sandbox.url,
    stateDir: demoStateDir("e2e-usage"),
    tokenKey: randomBytes(32).toString("base64"),
  });
  cookie = await installThroughSandbox(worker.url);
  await until(
    "the first sync to finish",
    async () => {
      const s = await askStatus(worker as LocalWorker, cookie);
      return s.syncs[0]?.last_success_at && s.accounts === portfolio.accounts.length
        ? true
        : undefined;
    },
    150_000,
    500,
  );
  csrf = (
    (await (await fetch(`${worker.url}/admin/api/session`, { headers: { cookie } })).json()) as {
      csrf: string;
    }
  ).csrf;
  const created = await fetch(`${worker.url}/admin/usage/keys`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf, label: "Product analytics" }),
  });
  const html = await created.text();
  expect(created.status).toBe(200);
  writeKey = /<code>(ebb_wk_[A-Za-z0-9_-]+)<\/code>/.exec(html)?.[1] ?? "";
  expect(writeKey).not.toBe("");
}, 240_000);

afterAll(async () => {
  await worker?.stop();
  await sandbox?.close();
});

interface Day {
  day: string;
  activeUsers?: number;
  events?: number;
  feature?: string;
}
const usageOf = async (ref: string) => {
  const res = await fetch(`${worker?.url}/admin/api/usage?account=${encodeURIComponent(ref)}`, {
    headers: { cookie },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { days: Day[] }).days;
};
const dayOf = (days: Day[], day: string, feature?: string) =>
  days.find((d) => d.day === day && d.feature === feature);

/** A fetch that delivers the first batch but loses its answer, as a dropped connection would. */
function losingFirstAnswer() {
  let sent = 0;
  const f = async (url: string, init: RequestInit) => {
    const res = await fetch(url, init);
    sent++;
    if (sent === 1) {
      await res.arrayBuffer();
      return new Response("upstream connection lost", { status: 503 });
    }
    return res;
  };
  return { fetch: f, sent: () => sent };
}

describe("usage through @segment/analytics-node", () => {
  it("lands group, identify and track calls as daily usage on the right accounts, a retried batch once", async () => {
    const transport = losingFirstAnswer();
    const analytics = new Analytics({
      writeKey,
      host: worker?.url,
      path: "/v1/batch",
      maxEventsInBatch: 100,
      flushInterval: 200,
      maxRetries: 3,
      httpClient: transport.fetch as never,
    });
    const errors: unknown[] = [];
    analytics.on("error", (e) => errors.push(e));
    const yesterday = addDays(today, -1);
    const late = addDays(today, -3);
    // Account A by its domain; account B's people by an identify naming its domain as their company.
    analytics.group({ userId: "ann", groupId: a.domain as string, traits: { name: a.name } });
    analytics.group({ anonymousId: "visitor-1", groupId: a.domain as string });
    analytics.identify({ userId: "bob", traits: { company: { id: b.domain } } });
    const at = (day: string, h: number) => new Date(`${day}T${String(h).padStart(2, "0")}:00:00Z`);
    for (let k = 0; k < 3; k++)
      analytics.track({
        userId: "ann",
        event: "Report Run",
        properties: { feature: "reporting" },
        timestamp: at(today, 1 + k),
      });
    analytics.track({ anonymousId: "visitor-1", event: "Signed In", timestamp: at(today, 2) });
    analytics.track({ userId: "ann", event: "Signed In", timestamp: at(yesterday, 9) });
    // Sent today about three days ago: it lands on its own day.
    analytics.track({ userId: "ann", event: "Exported", timestamp: at(late, 10) });
    analytics.track({ userId: "bob", event: "Signed In", timestamp: at(today, 3) });
    analytics.track({ userId: "bob", event: "Signed In", timestamp: at(today, 4) });
    await analytics.closeAndFlush({ timeout: 30_000 });
    expect(errors).toEqual([]);
    // The first delivery's answer was lost and the client sent the same batch again.
    expect(transport.sent()).toBe(2);

    const usageA = await usageOf(a.domain as string);
    expect(dayOf(usageA, today)).toEqual({ day: today, activeUsers: 2, events: 1 });
    expect(dayOf(usageA, today, "reporting")).toEqual({
      day: today,
      events: 3,
      feature: "reporting",
    });
    expect(dayOf(usageA, yesterday)).toEqual({ day: yesterday, activeUsers: 1, events: 1 });
    expect(dayOf(usageA, late)).toEqual({ day: late, activeUsers: 1, events: 1 });
    const usageB = await usageOf(b.domain as string);
    expect(usageB).toEqual([{ day: today, activeUsers: 1, events: 2 }]);
  });

  it("counts a call waiting for its person's account once a later identify names it", async () => {
    const analytics = new Analytics({ writeKey, host: worker?.url, flushInterval: 100 });
    const day = addDays(today, -5);
    analytics.track({
      userId: "cara",
      event: "Signed In",
      timestamp: new Date(`${day}T08:00:00Z`),
    });
    await analytics.flush();
    expect(dayOf(await usageOf(b.domain as string), day)).toBeUndefined();
    analytics.identify({ userId: "cara", context: { groupId: b.domain } });
    await analytics.closeAndFlush();
    expect(dayOf(await usageOf(b.domain as string), day)).toEqual({
      day,
      activeUsers: 1,
      events: 1,
    });
  });

  it("answers a wrong write key with 401, which the client reports, and stores nothing", async () => {
    const analytics = new Analytics({
      writeKey: "ebb_wk_not-a-key",
      host: worker?.url,
      flushInterval: 100,
    });
    const errors: { code?: string; reason?: unknown }[] = [];
    analytics.on("error", (e) => errors.push(e as { code?: string; reason?: unknown }));
    const day = addDays(today, -10);
    analytics.track({ userId: "ann", event: "Signed In", timestamp: new Date(`${day}T08:00:00Z`) });
    await analytics.closeAndFlush();
    expect(errors.length).toBe(1);
    expect(String(errors[0]?.reason)).toContain("401");
    expect(dayOf(await usageOf(a.domain as string), day)).toBeUndefined();
  });
});

describe("calls a webhook destination or RudderStack sends as they are", () => {
  const post = (path: string, body: unknown, key: string | null = writeKey) =>
    fetch(`${worker?.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(key ? { authorization: `Basic ${btoa(`${key}:`)}` } : {}),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("names each bad call of a batch and stores the rest; refuses an oversize batch whole", async () => {
    const day = addDays(today, -7);
    const timestamp = `${day}T12:00:00Z`;
    const res = await post("/v1/batch", {
      batch: [
        { type: "track", messageId: "m-good", userId: "ann", event: "Signed In", timestamp },
        { type: "track", messageId: "m-noid", event: "Signed In", timestamp },
        { type: "track", messageId: "m-noevent", userId: "ann", timestamp },
        {
          type: "track",
          messageId: "m-big",
          userId: "ann",
          event: "Big",
          timestamp,
          properties: { blob: "x".repeat(33 * 1024) },
        },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      success: boolean;
      accepted: number;
      rejected: { messageId: string; code: string; message: string }[];
    };
    expect(body.success).toBe(true);
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.messageId, r.code])).toEqual([
      ["m-noid", "missing_identifier"],
      ["m-noevent", "missing_event"],
      ["m-big", "payload_too_large"],
    ]);
    expect(dayOf(await usageOf(a.domain as string), day)).toEqual({
      day,
      activeUsers: 1,
      events: 1,
    });

    // Over 500 KB as a whole: 400, as Segment answers, and nothing of it stored.
    const big = await post("/v1/batch", {
      batch: Array.from({ length: 40 }, (_, k) => ({
        type: "track",
        messageId: `m-huge-${k}`,
        userId: "ann",
        event: "Signed In",
        timestamp: `${addDays(today, -8)}T12:00:00Z`,
        properties: { blob: "y".repeat(14 * 1024) },
      })),
    });
    expect(big.status).toBe(400);
    expect(((await big.json()) as { code: string }).code).toBe("payload_too_large");
    expect(dayOf(await usageOf(a.domain as string), addDays(today, -8))).toBeUndefined();

    // A single call over 32 KB, JSON that does not parse, a track without its event: 400.
    expect(
      (
        await post("/v1/track", {
          userId: "ann",
          event: "Big",
          properties: { blob: "z".repeat(33 * 1024) },
        })
      ).status,
    ).toBe(400);
    expect((await post("/v1/track", "{not json")).status).toBe(400);
    const noEvent = await post("/v1/track", { userId: "ann" });
    expect(noEvent.status).toBe(400);
    expect(((await noEvent.json()) as { code: string }).code).toBe("missing_event");
  });

  it("takes the write key from the body as Segment's clients send it; 401 without one", async () => {
    const day = addDays(today, -9);
    const call = { userId: "ann", event: "Signed In", timestamp: `${day}T12:00:00Z` };
    expect((await post("/v1/track", call, null)).status).toBe(401);
    const ok = await post("/v1/track", { ...call, writeKey }, null);
    expect(ok.status).toBe(200);
    expect(dayOf(await usageOf(a.domain as string), day)).toEqual({
      day,
      activeUsers: 1,
      events: 1,
    });
  });

  it("takes an admin's upload of daily usage, naming each line it refuses", async () => {
    const upload = async (name: string, text: string) => {
      const form = new FormData();
      form.set("csrf", csrf);
      form.set("file", new File([text], name, { type: "text/plain" }));
      const res = await fetch(`${worker?.url}/admin/usage/upload`, {
        method: "POST",
        headers: { cookie },
        body: form,
      });
      return { status: res.status, html: await res.text() };
    };
    const d1 = addDays(today, -20);
    const d2 = addDays(today, -21);
    const csv = await upload(
      "usage.csv",
      [
        "accountId,day,activeUsers,events",
        `${b.domain},${d1},7,140`,
        `${b.domain},2025-02-30,7,140`,
        `${b.domain},${d2},-3,10`,
        `nobody.example,${d1},1,1`,
      ].join("\n"),
    );
    expect(csv.status).toBe(200);
    expect(csv.html).toContain("1 usage days stored for 1 accounts");
    expect(csv.html).toContain("usage.csv:3: day:");
    expect(csv.html).toContain("usage.csv:4: activeUsers:");
    expect(csv.html).toContain("usage.csv:5: accountId: no account &quot;nobody.example&quot;");
    const ndjson = await upload(
      "usage.ndjson",
      `${JSON.stringify({ accountId: b.domain, day: d2, activeUsers: 5, events: 50 })}\n{oops\n`,
    );
    expect(ndjson.status).toBe(200);
    expect(ndjson.html).toContain("usage.ndjson:2: (line): not valid JSON");
    const usage = await usageOf(b.domain as string);
    expect(dayOf(usage, d1)).toEqual({ day: d1, activeUsers: 7, events: 140 });
    expect(dayOf(usage, d2)).toEqual({ day: d2, activeUsers: 5, events: 50 });
  });

  it("stops taking calls once the admin revokes the key", async () => {
    const page = await (await fetch(`${worker?.url}/admin/usage`, { headers: { cookie } })).text();
    const id = /name="id" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const revoked = await fetch(`${worker?.url}/admin/usage/keys/revoke`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, id }),
    });
    expect(revoked.status).toBe(303);
    const res = await post("/v1/track", { userId: "ann", event: "Signed In" });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_write_key");
  });
});
