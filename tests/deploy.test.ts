// The Worker bundles for Cloudflare: `wrangler deploy --dry-run` succeeds, and the bundle stays far
// under the Workers size limit (3 MB gzip on the free plan) because only the SDK parts used are in.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");

describe("deploy", () => {
  it("bundles with wrangler deploy --dry-run and prints the size", () => {
    const out = mkdtempSync(join(tmpdir(), "ebb-dist-"));
    try {
      const r = spawnSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", out], {
        encoding: "utf8",
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
      });
      expect(r.status, r.stderr).toBe(0);
      const line = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(r.stdout);
      expect(line).not.toBeNull();
      expect(Number(line?.[2])).toBeLessThan(1024);
      expect(r.stdout).toContain("env.TENANTS (TenantStore)");
      expect(r.stdout).toContain("env.GATES (ConnectionGate)");
      expect(statSync(join(out, "index.js")).size).toBeLessThan(4 * 1024 * 1024);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
