// What the admin asks of a tenant store on every page and status poll never scans every record:
// data age is kept by triggers as records come and go, and read through an index.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { depsOf } from "../../app/deps.ts";
import { syncJob } from "../../app/jobs/messages.ts";
import { runSync } from "../../app/jobs/run-sync.ts";
import { dataAge } from "../../app/tenant/records-repo.ts";
import { CONNECTORS } from "../../connectors/registry.ts";
import { directTenant } from "./support/helpers.ts";

const scanned = (sql: SqlStorage) =>
  sql
    .exec<{ kind: string; vendor: string; newest: string | null; rows: number }>(
      "SELECT kind, vendor, MAX(at) AS newest, COUNT(*) AS rows FROM records GROUP BY kind, vendor ORDER BY kind, vendor",
    )
    .toArray();

describe("the tenant store's data age", () => {
  it("equals a full count after a sync, a deletion and a merge, and its query scans no records", async () => {
    const t = await directTenant("7300001");
    const deps = { ...depsOf(env, CONNECTORS), enqueue: async () => {} };
    expect((await runSync(deps, syncJob(t.tenantId, t.connectionId, "manual"))).status).toBe(
      "done",
    );
    const stub = env.TENANTS.get(env.TENANTS.idFromName(t.tenantId));
    const [a, b] = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ id: string }>("SELECT id FROM accounts ORDER BY id LIMIT 2")
        .toArray()
        .map((r) => r.id),
    );
    const ticket = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ id: string }>("SELECT id FROM records WHERE kind = 'tickets' LIMIT 1")
        .one(),
    );
    // A ticket deleted, and one company merged into another, through the store's own paths.
    await stub.markChanges([
      {
        eventId: "e-del",
        vendor: "hubspot",
        objectType: "ticket",
        objectId: "x",
        change: "deletion",
        occurredAt: Date.now(),
        deleted: [{ kind: "tickets", id: ticket.id }],
      },
      {
        eventId: "e-merge",
        vendor: "hubspot",
        objectType: "company",
        objectId: "y",
        change: "merge",
        occurredAt: Date.now(),
        merged: [
          { from: b ?? "", into: a ?? "", intoExternalId: (a ?? "").replace(/^hs-company-/, "") },
        ],
      },
    ]);
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      expect(dataAge(sql)).toEqual(scanned(sql));
      expect(dataAge(sql).length).toBeGreaterThan(3);
      const plan = sql
        .exec<{ detail: string }>(
          `EXPLAIN QUERY PLAN SELECT c.kind, c.vendor, c.rows,
             (SELECT MAX(r.at) FROM records r WHERE r.kind = c.kind AND r.vendor = c.vendor) AS newest
           FROM record_counts c WHERE c.rows > 0 ORDER BY c.kind, c.vendor`,
        )
        .toArray()
        .map((r) => r.detail);
      expect(plan.some((d) => /SEARCH r USING COVERING INDEX records_kind_vendor_at/.test(d))).toBe(
        true,
      );
      expect(plan.filter((d) => /SCAN (r|records)\b/.test(d))).toEqual([]);
    });
  });
});
