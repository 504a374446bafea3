// The README and the docs are the project's own: every link they hold resolves to a file in the
// repository, none leaves it, and the README opens with the two commands a fresh machine needs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/sources.ts";

const DOCS = [
  "README.md",
  "bench/RESULTS.md",
  "docs/design.md",
  ...readdirSync(join(ROOT, "docs", "decisions")).map((f) => `docs/decisions/${f}`),
];

describe("the README and docs", () => {
  it("open the README with the install-and-run command and the test command", () => {
    const blocks = readFileSync(join(ROOT, "README.md"), "utf8").split("```");
    expect(blocks[1]?.trim().split("\n")).toEqual(["sh", "npm install && npm start", "npm test"]);
  });

  it("link only to files inside the repository", () => {
    const bad: string[] = [];
    for (const doc of DOCS) {
      const text = readFileSync(join(ROOT, doc), "utf8");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (m[1] ?? "").split("#")[0] ?? "";
        if (/^[a-z]+:/i.test(target)) bad.push(`${doc}: ${m[1]} leaves the repository`);
        else if (target) {
          const path = resolve(dirname(join(ROOT, doc)), target);
          if (relative(ROOT, path).startsWith(".."))
            bad.push(`${doc}: ${m[1]} leaves the repository`);
          else if (!existsSync(path)) bad.push(`${doc}: ${m[1]} does not exist`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("name no path outside the repository, linked or not", () => {
    const bad: string[] = [];
    for (const doc of DOCS) {
      const text = readFileSync(join(ROOT, doc), "utf8");
      for (const m of text.matchAll(/(?:^|[\s`(])((?:\.\.\/)+[^\s`)]*)/g)) {
        const path = resolve(dirname(join(ROOT, doc)), m[1] ?? "");
        if (relative(ROOT, path).startsWith("..")) bad.push(`${doc}: ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
