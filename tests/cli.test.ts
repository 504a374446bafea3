// The `ebb` command end to end, as a data team would run it: real files, real process, exit codes.
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readInterchangeFolder } from "../cli/read-folder.ts";
import { backtest } from "../core/backtest.ts";
import { scorePortfolio } from "../core/engine.ts";
import type { HealthSnapshot } from "../core/model.ts";
import { isAlert } from "../core/playbooks.ts";

const BIN = join(import.meta.dirname, "..", "bin", "ebb.js");
let work: string;
let input: string;

function ebb(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "ebb-cli-"));
  input = join(work, "in");
  const g = ebb("generate", input, "--accounts", "12", "--seed", "77", "--days", "240");
  expect(g.code).toBe(0);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("ebb score", () => {
  it("prints, after its summary, the accounts at risk now with their reasons", () => {
    // A portfolio with accounts decaying on its last day (seed 7, 300 accounts, two years).
    const decaying = join(work, "in-now");
    expect(ebb("generate", decaying, "--accounts", "300", "--seed", "7").code).toBe(0);
    const out = join(work, "out-now");
    const r = ebb("score", decaying, "--out", out);
    expect(r.code).toBe(0);
    const snapshots = lines(join(out, "snapshots.ndjson")).map((l) => JSON.parse(l));
    const day = snapshots.reduce((d: string, s: { day: string }) => (s.day > d ? s.day : d), "");
    const now = snapshots.filter((s: { day: string }) => s.day === day);
    const expected = now
      .filter((s: HealthSnapshot) => isAlert(s))
      .map((s: HealthSnapshot) => s.accountId);
    expect(r.stdout).toContain(`Portfolio on ${day}: ${now.length} accounts`);
    const listed = [...r.stdout.matchAll(/^ {2}(\S+)(?: \(.*\))? {2}score /gm)].map((m) => m[1]);
    expect(r.stdout).toContain(`At risk or decaying now (${expected.length}):`);
    expect(new Set(listed)).toEqual(new Set(expected));
    expect(expected.length).toBeGreaterThan(0);
    // Each with its reasons, as the admin and the card give them.
    const block = r.stdout.slice(r.stdout.indexOf("At risk or decaying now"));
    expect(block).toMatch(/\n {6}[a-z][^:]+: \S/);
  });

  it("holds a batch of accounts at a time and writes byte for byte what scoring the whole portfolio at once writes", async () => {
    // Records naming an unknown account too: reported the same way, batch or not.
    const folder = join(work, "in-batches");
    expect(ebb("generate", folder, "--accounts", "23", "--seed", "5", "--days", "400").code).toBe(
      0,
    );
    appendFileSync(
      join(folder, "usage.ndjson"),
      `${JSON.stringify({ accountId: "nobody", day: "2024-02-01", activeUsers: 3 })}\n`,
    );
    const out = join(work, "out-batches");
    const r = ebb("score", folder, "--out", out, "--batch", "4");
    expect(r.code).toBe(0);
    const { portfolio } = await readInterchangeFolder(folder);
    const snapshots: string[] = [];
    const tasks: string[] = [];
    const summary = scorePortfolio(
      portfolio,
      {},
      {
        snapshot: (x) => snapshots.push(JSON.stringify(x)),
        task: (t) => tasks.push(JSON.stringify(t)),
      },
    );
    expect(summary.alerts.length).toBeGreaterThan(0);
    expect(readFileSync(join(out, "snapshots.ndjson"), "utf8")).toBe(`${snapshots.join("\n")}\n`);
    expect(readFileSync(join(out, "tasks.ndjson"), "utf8")).toBe(`${tasks.join("\n")}\n`);
    expect(lines(join(out, "alerts.ndjson"))).toEqual(summary.alerts.map((a) => JSON.stringify(a)));
    expect(r.stderr).toContain('unknown account "nobody"');
    // And the backtest, batch by batch, reports what the whole-portfolio backtest reports.
    const b = ebb("backtest", folder, "--json", "--batch", "4");
    expect(b.code).toBe(0);
    // The generator's truth names each account's kind: the CLI reports false alarms by kind.
    const kinds = new Map(
      lines(join(folder, "truth.ndjson")).map((l) => {
        const t = JSON.parse(l) as { accountId: string; archetype: string };
        return [t.accountId, t.archetype] as const;
      }),
    );
    const report = JSON.parse(b.stdout) as ReturnType<typeof backtest>;
    expect(report).toEqual(JSON.parse(JSON.stringify(backtest(portfolio, {}, kinds))));
    expect(report.falseAlarmsByKind.map((k) => k.kind).length).toBeGreaterThan(0);
  });

  it("writes one snapshot per account per day and a one-line summary", () => {
    const out = join(work, "out1");
    const r = ebb("score", input, "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^scored \d+ accounts × \d+ account-days/);
    const snapshots = lines(join(out, "snapshots.ndjson")).map((l) => JSON.parse(l));
    const accountDays = Number(/× (\d+) account-days/.exec(r.stdout)?.[1]);
    expect(snapshots).toHaveLength(accountDays);
    expect(Object.keys(snapshots[0]).sort()).toEqual([
      "accountId",
      "band",
      "coverage",
      "day",
      "score",
      "signals",
      "trend",
    ]);
    for (const t of lines(join(out, "tasks.ndjson")).map((l) => JSON.parse(l))) {
      expect(Object.keys(t).sort()).toEqual([
        "accountId",
        "action",
        "body",
        "day",
        "dedupeKey",
        "dueAt",
        "playbook",
        "priority",
        "title",
      ]);
    }
  });

  it("reports a malformed line in any of the seven files as file:line and scores everything else", () => {
    const bad = join(work, "bad");
    ebb("generate", bad, "--accounts", "12", "--seed", "77", "--days", "240");
    const broken: Record<string, [string, RegExp]> = {
      "accounts.ndjson": ['{"id":"acc-x","name":42}', /name: /],
      "stakeholders.ndjson": ['{"id":"s-x","accountId":"acc-00001","active":"yes"}', /active: /],
      "tickets.ndjson": [
        '{"id":"x1","accountId":"acc-00001","createdAt":"not a time","status":"open","tags":[]}',
        /createdAt: expected an ISO-8601 time/,
      ],
      "engagements.ndjson": [
        '{"id":"e-x","accountId":"acc-00001","kind":"fax","direction":"inbound","at":"2024-02-01T10:00:00Z"}',
        /kind: /,
      ],
      "usage.ndjson": ["{oops", /\(line\): not valid JSON/],
      "milestones.ndjson": [
        '{"id":"m-x","accountId":"acc-00001","name":"Go-live","dueAt":"2024-02-30"}',
        /dueAt: expected a day as YYYY-MM-DD/,
      ],
      "outcomes.ndjson": ['{"accountId":"acc-00001","kind":"paused","at":"2024-05-01"}', /kind: /],
    };
    const lineOf: Record<string, number> = {};
    for (const [file, [line]] of Object.entries(broken)) {
      lineOf[file] = lines(join(bad, file)).length + 1;
      appendFileSync(join(bad, file), `${line}\n`);
    }
    const good = ebb("score", input, "--out", join(work, "good-out"));
    const r = ebb("score", bad, "--out", join(work, "bad-out"));
    expect(r.code).toBe(0);
    for (const [file, [, message]] of Object.entries(broken)) {
      const reported = r.stderr.split("\n").find((l) => l.startsWith(`${file}:${lineOf[file]}: `));
      expect(reported, file).toMatch(message);
    }
    expect(r.stderr).toContain("7 bad records skipped; the rest were scored.");
    expect(
      readFileSync(join(work, "bad-out", "issues.txt"), "utf8")
        .split("\n")
        .filter(Boolean),
    ).toHaveLength(7);
    expect(lines(join(work, "bad-out", "snapshots.ndjson"))).toEqual(
      lines(join(work, "good-out", "snapshots.ndjson")),
    );
    expect(good.stderr).toBe("");
  });

  it("reads gzipped files", () => {
    const gz = join(work, "gz");
    ebb("generate", gz, "--accounts", "12", "--seed", "77", "--days", "240");
    for (const f of ["usage.ndjson", "tickets.ndjson"]) {
      writeFileSync(join(gz, `${f}.gz`), gzipSync(readFileSync(join(gz, f))));
      rmSync(join(gz, f));
    }
    const r = ebb("score", gz, "--out", join(work, "gz-out"));
    expect(r.code).toBe(0);
    expect(lines(join(work, "gz-out", "snapshots.ndjson"))).toEqual(
      lines(join(work, "out1", "snapshots.ndjson")),
    );
  });

  it.each([
    [
      ["score", "/no/such/folder", "--out", "/tmp/x"],
      /^ebb: input folder not found: \/no\/such\/folder\n$/,
    ],
    [
      ["score", "IN", "--out", "OUT", "--from", "2024-13-01"],
      /--from <day>.*expected a day as YYYY-MM-DD, got "2024-13-01"/,
    ],
    [
      ["score", "IN", "--out", "OUT", "--from", "2024-06-01", "--to", "2024-01-01"],
      /^ebb: --from 2024-06-01 is after --to 2024-01-01\n$/,
    ],
    [["score", "IN"], /required option '--out <dir>' not specified/],
    [
      ["generate", "OUT", "--accounts", "-3", "--seed", "1"],
      /expected a positive whole number, got "-3"/,
    ],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ])("exits 2 with one clear line for %j", (args, message) => {
    const r = ebb(...args.map((a) => (a === "IN" ? input : a === "OUT" ? join(work, "never") : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("ebb backtest", () => {
  it("prints the report as JSON", () => {
    const r = ebb("backtest", input, "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        "recallAt30",
        "medianLeadDays",
        "falseAlarmsPerHealthyAccountYear",
        "auc60",
      ]),
    );
  });

  it("refuses a folder without outcomes", () => {
    const none = join(work, "none");
    ebb("generate", none, "--accounts", "3", "--seed", "1", "--days", "60");
    writeFileSync(join(none, "outcomes.ndjson"), "");
    const r = ebb("backtest", none);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no outcomes/);
  });
});

describe("ebb backtest --fit", () => {
  it("fits weights on the earlier part, prints before and after, and writes them for --weights to adopt", () => {
    const folder = join(work, "fit");
    expect(ebb("generate", folder, "--accounts", "160", "--seed", "21").code).toBe(0);
    const out = join(work, "fitted.json");
    const r = ebb("backtest", folder, "--fit", "--split", "2024-12-31", "--weights-out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("fitted on the days up to 2024-12-31");
    expect(r.stdout).toMatch(/false alarms \/ healthy acct-yr\s+[\d.]+\s+[\d.]+/);
    expect(r.stdout).toContain(
      `nothing changes until they are adopted (ebb score --weights ${out})`,
    );
    const adopted = ebb("backtest", folder, "--weights", out, "--from", "2025-01-01", "--json");
    expect(adopted.code).toBe(0);
    // What --fit reported for its weights is what scoring with the file gives.
    const fitted = ebb("backtest", folder, "--fit", "--split", "2024-12-31", "--json");
    const report = (JSON.parse(fitted.stdout) as { after: { report: unknown } }).after.report;
    expect(JSON.parse(adopted.stdout)).toEqual(report);
  });

  it("names the field of a weights file that is wrong", () => {
    const bad = join(work, "bad-weights.json");
    writeFileSync(bad, JSON.stringify({ onboarding: { usage_drop: 2 } }));
    const r = ebb("backtest", join(work, "fit"), "--weights", bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("onboarding.usage_drop:");
    expect(r.stderr).toContain("adoption:");
  });
});
