// Install → queue → sync → score → writeback, through the real queue in workerd and the HubSpot
// sandbox; then the card and the admin read from the store.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { install, sandbox, signIn, until, worker } from "./test-support/helpers.ts";

describe("the pipeline", () => {
  it("installs, syncs, scores and writes back, then the admin shows it", async () => {
    const { loginPath } = await install();
    const cookie = await signIn(loginPath);
    const status = await until("sync, score and writeback", async () => {
      const res = await worker("/admin/api/status", { headers: { cookie } });
      const s = (await res.json()) as {
        syncs: { status: string; last_success_at: number | null }[];
        pendingWriteback: number;
        accounts: number;
      };
      return s.syncs[0]?.last_success_at && s.pendingWriteback === 0 ? s : undefined;
    });
    expect(status.accounts).toBe(12);
    const companies = await sandbox<{ results: { properties: Record<string, string> }[] }>(
      "/__sandbox/objects/companies",
    );
    expect(companies.results.every((c) => c.properties.ebb_health_score !== undefined)).toBe(true);
    void env;
  });
});
