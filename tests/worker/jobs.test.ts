// Queue jobs under failure: a consumer that dies mid-sync resumes from the saved cursor, a retried
// writeback creates no task twice, poison is recorded and acked, and cron plans one sync per
// connection. Tenants here are made directly, and queued follow-ups are collected, not delivered.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createLoginLink } from "../../app/db/sessions-repo.ts";
import { type Deps, depsOf } from "../../app/deps.ts";
import worker from "../../app/index.ts";
import { consume } from "../../app/jobs/consume.ts";
import { type Job, syncJob } from "../../app/jobs/messages.ts";
import { runScore } from "../../app/jobs/run-score.ts";
import { runSync } from "../../app/jobs/run-sync.ts";
import { runWriteback } from "../../app/jobs/run-writeback.ts";
import { CONNECTORS } from "../../connectors/registry.ts";
import {
  callCount,
  callsSince,
  directTenant,
  sandbox,
  signIn,
  worker as workerFetch,
} from "./support/helpers.ts";

/** Real ports, with the queue replaced by a list and the tenant store optionally wrapped. */
function testDeps(wrap?: (store: ReturnType<Deps["tenant"]>) => ReturnType<Deps["tenant"]>) {
  const queued: Job[] = [];
  const real = depsOf(env, CONNECTORS);
  const deps: Deps = {
    ...real,
    enqueue: async (jobs) => {
      queued.push(...jobs);
    },
    tenant: (id) => (wrap ? wrap(real.tenant(id)) : real.tenant(id)),
  };
  return { deps, queued };
}

/** One message handed to the consumer: which messages it acknowledged and which it retried. */
async function deliver(deps: Deps, id: string, body: unknown, attempts = 1) {
  const batch = createMessageBatch<unknown>("ebb-jobs", [
    { id, timestamp: new Date(), attempts, body },
  ]);
  await consume(deps, batch);
  const r = await getQueueResult(batch, createExecutionContext());
  return {
    acked: r.explicitAcks,
    retried: r.retryMessages.map((m: { msgId: string }) => m.msgId),
  };
}

const recordRows = async (deps: Deps, tenantId: string) =>
  (await deps.tenant(tenantId).overview(new Date().toISOString().slice(0, 10))).dataAge.reduce(
    (n, a) => n + a.rows,
    0,
  );

describe("sync jobs", () => {
  it("resumes after a consumer crash from the saved cursor, losing and doubling nothing", async () => {
    // A clean reference sync into its own tenant.
    const clean = await directTenant("7100001");
    const ref = testDeps();
    const before = await callCount();
    const done = await runSync(ref.deps, syncJob(clean.tenantId, clean.connectionId, "manual"));
    expect(done.status).toBe("done");
    const fullCalls = (await callsSince(before)).length;
    const expected = await recordRows(ref.deps, clean.tenantId);

    // The same sync into another tenant, dying while storing its fourth page.
    const t = await directTenant("7100002");
    let stored = 0;
    const crashing = testDeps(
      (store) =>
        new Proxy(store, {
          get(target, prop) {
            if (prop === "applyPage")
              return (...args: Parameters<typeof store.applyPage>) => {
                if (++stored === 4) throw new Error("isolate died");
                return target.applyPage(...args);
              };
            return Reflect.get(target, prop);
          },
        }),
    );
    const job = syncJob(t.tenantId, t.connectionId, "cron");
    await expect(runSync(crashing.deps, job)).rejects.toThrow("isolate died");
    const mid = await crashing.deps
      .tenant(t.tenantId)
      .overview(new Date().toISOString().slice(0, 10));
    expect(mid.syncs[0]?.run_pages).toBe(3);
    expect(mid.syncs[0]?.status).toBe("error");

    // The queue redelivers the same message: the run continues behind page 3.
    const resumedFrom = await callCount();
    const again = await runSync(testDeps().deps, job);
    expect(again.status).toBe("done");
    const resumedCalls = (await callsSince(resumedFrom)).length;
    expect(resumedCalls).toBeLessThan(fullCalls);
    expect(await recordRows(ref.deps, t.tenantId)).toBe(expected);
    const after = await ref.deps.tenant(t.tenantId).overview(new Date().toISOString().slice(0, 10));
    expect(after.syncs[0]).toMatchObject({
      status: "idle",
      run_pages: done.status === "done" ? done.pages : 0,
    });
    expect(after.accounts).toBe(12);
  });

  it("lets one run hold a connection: a second run is told it is busy", async () => {
    const t = await directTenant("7100003");
    const { deps } = testDeps();
    const store = deps.tenant(t.tenantId);
    const first = await store.beginSync(t.connectionId, "hubspot", "run-a", "d-1", Date.now());
    expect(first.ok).toBe(true);
    const second = await runSync(deps, {
      ...syncJob(t.tenantId, t.connectionId, "cron"),
      runId: "run-b",
    });
    expect(second.status).toBe("busy");
  });

  it("runs one delivery of a message at a time: a duplicate delivery is deferred, not run", async () => {
    // Queues deliver at least once: the same message can reach two consumers at the same time.
    const ref = await directTenant("7100006");
    const before = await callCount();
    await runSync(testDeps().deps, syncJob(ref.tenantId, ref.connectionId, "manual"));
    const oneRun = (await callsSince(before)).length;

    const t = await directTenant("7100007");
    const job = syncJob(t.tenantId, t.connectionId, "cron");
    const cursors: string[] = [];
    const watching = testDeps(
      (store) =>
        new Proxy(store, {
          get(target, prop) {
            if (prop === "applyPage")
              return async (...args: Parameters<typeof store.applyPage>) => {
                const r = await target.applyPage(...args);
                if (r.stored && args[5]) cursors.push(JSON.stringify(args[5].cursor));
                return r;
              };
            return Reflect.get(target, prop);
          },
        }),
    );
    const from = await callCount();
    const [a, b] = await Promise.all([runSync(watching.deps, job), runSync(watching.deps, job)]);
    const outcomes = [a.status, b.status].sort();
    expect(outcomes).toEqual(["busy", "done"]);
    const deferred = a.status === "busy" ? a : b;
    expect(deferred.status === "busy" && deferred.retryInMs).toBeGreaterThan(0);
    // One run's calls (the first pull's two lanes meet where timing puts them: a page either way),
    // not two runs' worth.
    expect((await callsSince(from)).length).toBeLessThan(oneRun * 1.25);
    // Each page's cursor was saved once: no second run wrote an older cursor over a newer one.
    expect(cursors).toEqual([...new Set(cursors)]);

    // When the deferred delivery comes back, its run is over: it acknowledges and pulls nothing.
    const later = await callCount();
    const back = await runSync(testDeps().deps, job);
    expect(back.status).toBe("finished");
    expect((await callsSince(later)).length).toBe(0);
  });

  it("defers a run whose connection another live delivery holds, in the consumer", async () => {
    const t = await directTenant("7100008");
    const { deps } = testDeps();
    await deps.tenant(t.tenantId).beginSync(t.connectionId, "hubspot", "run-a", "d-1", Date.now());
    const job = syncJob(t.tenantId, t.connectionId, "cron");
    expect(await deliver(deps, "dup-1", { ...job, runId: "run-b" })).toEqual({
      acked: [],
      retried: ["dup-1"],
    });
    // On its last attempt, with the other run still live, it is acknowledged: that run covers it,
    // and nothing piles up in the dead-letter queue.
    expect(await deliver(deps, "dup-2", { ...job, runId: "run-c" }, 5)).toEqual({
      acked: ["dup-2"],
      retried: [],
    });
  });

  it("a 403 on one object type skips only that type, shown in the admin; the connection stays active", async () => {
    const t = await directTenant("7100009");
    const { deps } = testDeps();
    await sandbox("/__sandbox/scopes", {
      method: "POST",
      body: JSON.stringify({ withhold: ["tickets"] }),
    });
    let done: Awaited<ReturnType<typeof runSync>>;
    try {
      done = await runSync(deps, syncJob(t.tenantId, t.connectionId, "manual"));
    } finally {
      await sandbox("/__sandbox/scopes", { method: "DELETE" });
    }
    expect(done.status).toBe("done");
    const conn = await env.DB.prepare("SELECT status FROM connections WHERE id = ?")
      .bind(t.connectionId)
      .first<{ status: string }>();
    expect(conn?.status).toBe("active");
    const o = await deps.tenant(t.tenantId).overview(new Date().toISOString().slice(0, 10));
    expect(o.accounts).toBe(12);
    expect(o.dataAge.find((a) => a.kind === "tickets")?.rows ?? 0).toBe(0);
    expect(o.syncs[0]?.refused).toEqual([
      { objectType: "tickets", reason: expect.stringMatching(/missing scope tickets/) },
    ]);
    // The admin says what is refused and what to do.
    const code = await createLoginLink(env.DB, t.tenantId, "a@example.com", Date.now());
    const cookie = await signIn(`/admin/login?code=${encodeURIComponent(code)}`);
    const page = await (await workerFetch("/admin", { headers: { cookie } })).text();
    expect(page).toMatch(/hubspot refuses Ebb tickets: .*missing scope tickets/);

    // Granted: the next sync reads the tickets and the notice is gone.
    const again = await runSync(deps, syncJob(t.tenantId, t.connectionId, "manual"));
    expect(again.status).toBe("done");
    const after = await deps.tenant(t.tenantId).overview(new Date().toISOString().slice(0, 10));
    expect(after.dataAge.find((a) => a.kind === "tickets")?.rows).toBeGreaterThan(0);
    expect(after.syncs[0]?.refused).toEqual([]);
  });

  it("a delivery that dies after its run ended but before scoring started has its scoring started by the redelivery", async () => {
    const t = await directTenant("7100011");
    const dying = testDeps(
      (store) =>
        new Proxy(store, {
          get(target, prop) {
            if (prop === "startScoring")
              return () => {
                throw new Error("isolate died before scoring");
              };
            return Reflect.get(target, prop);
          },
        }),
    );
    const job = syncJob(t.tenantId, t.connectionId, "manual");
    await expect(runSync(dying.deps, job)).rejects.toThrow("isolate died before scoring");
    const { deps, queued } = testDeps();
    const store = deps.tenant(t.tenantId);
    const today = new Date(deps.now()).toISOString().slice(0, 10);
    expect((await store.overview(today)).lastScore).toBeNull();
    // The queue delivers the message again: the run is over, and its scoring starts now.
    expect((await runSync(deps, job)).status).toBe("finished");
    expect(queued.map((j) => j.kind)).toEqual(["score"]);
    await runScore(deps, { kind: "score", tenantId: t.tenantId });
    const o = await store.overview(today);
    expect(o.lastScore?.accounts).toBe(o.accounts);
    expect(queued.map((j) => j.kind)).toEqual(["score", "writeback"]);
  });

  it("a retried writeback creates no task twice", async () => {
    const t = await directTenant("7100004");
    const { deps, queued } = testDeps();
    await runSync(deps, syncJob(t.tenantId, t.connectionId, "manual"));
    // The sync queues the scoring; the scoring, once done, queues the writeback.
    expect(queued.map((j) => j.kind)).toEqual(["score"]);
    expect(await runScore(deps, { kind: "score", tenantId: t.tenantId })).toMatchObject({
      status: "done",
      followups: 1,
    });
    expect(queued.map((j) => j.kind)).toEqual(["score", "writeback"]);
    const job = { kind: "writeback" as const, tenantId: t.tenantId, connectionId: t.connectionId };
    // First delivery: the push reaches HubSpot, then the consumer dies before the store records it.
    const lost = testDeps(
      (store) =>
        new Proxy(store, {
          get(target, prop) {
            if (prop === "recordWriteback")
              return () => {
                throw new Error("isolate died after push");
              };
            return Reflect.get(target, prop);
          },
        }),
    );
    await expect(runWriteback(lost.deps, job)).rejects.toThrow("isolate died after push");
    const tasksAfterFirst = await sandboxTasks();
    // Redelivery: the same tasks are found by their dedupe key, none created again.
    const second = await runWriteback(deps, job);
    expect(second.tasksCreated).toBe(0);
    const tasksAfterSecond = await sandboxTasks();
    expect(tasksAfterSecond.length).toBe(tasksAfterFirst.length);
    const keys = tasksAfterSecond.map((x) => x.properties.ebb_dedupe_key);
    expect(new Set(keys).size).toBe(keys.length);
    // And a third delivery has nothing left to write at all.
    const third = await runWriteback(deps, job);
    expect(third.writeCalls).toBe(0);
  });
});

async function sandboxTasks() {
  const all = await sandbox<{ results: { properties: Record<string, string> }[] }>(
    "/__sandbox/objects/tasks",
  );
  return all.results.filter((x) => x.properties.ebb_dedupe_key);
}

describe("the queue consumer", () => {
  it("acks and records a poison message instead of retrying it", async () => {
    const batch = createMessageBatch("ebb-jobs", [
      {
        id: "poison-1",
        timestamp: new Date(),
        attempts: 1,
        body: { kind: "explode", tenantId: 3 },
      },
      {
        id: "poison-2",
        timestamp: new Date(),
        attempts: 1,
        body: {
          kind: "sync",
          tenantId: "nobody",
          connectionId: "nothing",
          runId: "r",
          reason: "cron",
        },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["poison-1", "poison-2"]);
    expect(result.retryMessages).toEqual([]);
    const failures = await env.DB.prepare(
      "SELECT message_id, error FROM job_failures WHERE message_id LIKE 'poison-%' ORDER BY message_id",
    ).all<{ message_id: string; error: string }>();
    expect(failures.results[0]?.error).toMatch(/^invalid message: kind: /);
    expect(failures.results[1]?.error).toMatch(/no connection nothing/);
  });

  it("a 403 it cannot skip fails the message, names the scope, and leaves the connection active", async () => {
    const t = await directTenant("7100010");
    const { deps } = testDeps();
    // The one-time setup creates Ebb's company properties: without the schema scope it cannot.
    await sandbox("/__sandbox/scopes", {
      method: "POST",
      body: JSON.stringify({ withhold: ["crm.schemas.companies.write"] }),
    });
    let result: Awaited<ReturnType<typeof deliver>>;
    try {
      result = await deliver(deps, "refused-1", syncJob(t.tenantId, t.connectionId, "cron"));
    } finally {
      await sandbox("/__sandbox/scopes", { method: "DELETE" });
    }
    expect(result.acked).toEqual(["refused-1"]);
    const conn = await env.DB.prepare("SELECT status, last_error FROM connections WHERE id = ?")
      .bind(t.connectionId)
      .first<{ status: string; last_error: string }>();
    expect(conn?.status).toBe("active");
    expect(conn?.last_error).toMatch(/missing scope crm.schemas.companies.write/);
  });

  it("retries a message whose vendor call fails with a retryable error", async () => {
    const t = await directTenant("7100005");
    await sandbox("/__sandbox/faults", {
      method: "POST",
      body: JSON.stringify({ kind: "server_error", count: 40 }),
    });
    const { deps } = testDeps();
    const result = await deliver(deps, "flaky-1", syncJob(t.tenantId, t.connectionId, "cron"));
    await sandbox("/__sandbox/faults", { method: "DELETE" });
    expect(result).toEqual({ acked: [], retried: ["flaky-1"] });
    const s = await deps.tenant(t.tenantId).overview(new Date().toISOString().slice(0, 10));
    expect(s.syncs[0]?.status).toBe("error");
    expect(s.syncs[0]?.last_error).toMatch(/502|Bad gateway|unavailable/i);
  });
});

describe("cron", () => {
  it("plans one sync per active connection", async () => {
    const { planSyncs } = await import("../../app/jobs/consume.ts");
    const { deps, queued } = testDeps();
    const n = await planSyncs(deps);
    const active = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM connections WHERE status = 'active'",
    ).first<{ n: number }>();
    expect(n).toBe(active?.n);
    expect(queued.filter((j) => j.kind === "sync")).toHaveLength(n);
    expect(new Set(queued.map((j) => (j.kind === "sync" ? j.runId : ""))).size).toBe(n);
  });
});
