// `ebb backtest <input-dir> [--json]`: recall, lead time, false alarms and AUC on the folder's own outcomes.
import { createReadStream, existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type BacktestReport, BacktestTally } from "../../core/backtest.ts";
import { type FitResult, fitWeights } from "../../core/fit.ts";
import type { StageWeights } from "../../core/weights.ts";
import { CliError } from "../errors.ts";
import { readFolderInBatches } from "../read-batches.ts";
import { readInterchangeFolder } from "../read-folder.ts";
import { issueLines, printIssues } from "../report-issues.ts";
import { scoreInBatches } from "../score-batches.ts";
import { readWeightsFile } from "../weights-file.ts";

export async function runBacktest(
  inputDir: string,
  flags: {
    json?: boolean;
    from?: string;
    to?: string;
    batch?: number;
    weights?: string;
    fit?: boolean;
    split?: string;
    weightsOut?: string;
  },
  io: { log(l: string): void; warn(l: string): void },
) {
  const weights = flags.weights ? await readWeightsFile(flags.weights) : undefined;
  if (flags.fit) return runFit(inputDir, flags, weights, io);
  // Read in batches of accounts (cli/read-batches.ts): memory holds one batch, not the portfolio.
  const folder = await readFolderInBatches(inputDir, flags.batch);
  let r: BacktestReport;
  try {
    if (folder.counts.outcomes === 0)
      throw new CliError(`no outcomes in ${inputDir}: a backtest needs outcomes.ndjson`);
    printIssues(issueLines(folder.issues, []), io.warn);
    const tally = new BacktestTally(await readKinds(inputDir));
    const summary = await scoreInBatches(
      folder,
      {
        ...(flags.from ? { from: flags.from } : {}),
        ...(flags.to ? { to: flags.to } : {}),
        ...(weights ? { weights } : {}),
        explain: false,
      },
      tally.sink,
      (part) => tally.addOutcomes(part.outcomes),
    );
    r = tally.report(summary);
  } finally {
    folder.close();
  }
  if (flags.json) {
    io.log(JSON.stringify(r, null, 2));
    return r;
  }
  printReport(r, io);
  return r;
}

const fmt = (x: number | null, digits = 2) => (x === null ? "n/a" : x.toFixed(digits));

function printReport(r: BacktestReport, io: { log(l: string): void }) {
  io.log(`accounts scored            ${r.accounts} (${r.accountDays} account-days)`);
  io.log(`churned in span            ${r.churned}`);
  io.log(`recall at 30 days          ${fmt(r.recallAt30)}`);
  io.log(
    `median lead time           ${r.medianLeadDays === null ? "n/a" : `${r.medianLeadDays} days`}`,
  );
  io.log(
    `false alarms               ${fmt(r.falseAlarmsPerHealthyAccountYear)} per healthy account-year (${r.healthyEpisodes} episodes / ${r.healthyAccountYears.toFixed(0)} account-years)`,
  );
  io.log(`AUC 60 days before churn   ${fmt(r.auc60, 3)}`);
  io.log("churn within 90 days by score band (tenths of the samples; equal scores never split):");
  for (const b of r.churnByScoreBand)
    io.log(
      `  ${String(b.band).padStart(2)}  score ${`${b.minScore}–${b.maxScore}`.padStart(7)}  ${(b.churnRate * 100).toFixed(1).padStart(5)}%  (${b.samples} samples, ${(b.share * 100).toFixed(0)}% of all)`,
    );
  if (r.falseAlarmsByKind.length) {
    io.log("false alarms by kind of healthy account (truth.ndjson):");
    for (const k of r.falseAlarmsByKind)
      io.log(
        `  ${k.kind.padEnd(22)} ${k.perAccountYear.toFixed(2)} per account-year (${k.episodes} episodes / ${k.accountYears.toFixed(0)} account-years, ${k.accounts} accounts)`,
      );
  }
  if (r.falseAlarmsByPlaybook.length)
    io.log(
      `false alarms by playbook     ${r.falseAlarmsByPlaybook.map((p) => `${p.playbook} ${p.episodes}`).join(", ")}`,
    );
}

/**
 * `--fit`: stage weights learnt on the days up to the split, judged on the days after it, before
 * and after side by side. Nothing changes: the fitted weights are written where `--weights-out`
 * says, for `ebb score --weights` (or an admin) to adopt.
 */
async function runFit(
  inputDir: string,
  flags: { json?: boolean; split?: string; weightsOut?: string },
  start: StageWeights | undefined,
  io: { log(l: string): void; warn(l: string): void },
) {
  const { portfolio, issues } = await readInterchangeFolder(inputDir);
  printIssues(issueLines(issues, []), io.warn);
  if (portfolio.outcomes.length === 0)
    throw new CliError(`no outcomes in ${inputDir}: fitting needs outcomes.ndjson`);
  let fit: FitResult;
  try {
    fit = fitWeights(portfolio, {
      ...(flags.split ? { split: flags.split } : {}),
      ...(start ? { start } : {}),
      kinds: await readKinds(inputDir),
      onStep: (l) => io.warn(`fit: ${l}`),
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (flags.weightsOut)
    await writeFile(flags.weightsOut, `${JSON.stringify(fit.weights, null, 2)}\n`);
  if (flags.json) {
    io.log(JSON.stringify(fit, null, 2));
    return fit.after.report;
  }
  const row = (label: string, f: (r: BacktestReport) => string) =>
    io.log(
      `${label.padEnd(28)} ${f(fit.before.report).padStart(10)} ${f(fit.after.report).padStart(10)}`,
    );
  io.log(
    `fitted on the days up to ${fit.split} (${fit.evaluations} backtests), judged on the days after:`,
  );
  io.log(`${"".padEnd(28)} ${"current".padStart(10)} ${"fitted".padStart(10)}`);
  row("churned in span", (r) => String(r.churned));
  row("recall at 30 days", (r) => fmt(r.recallAt30));
  row("median lead time (days)", (r) =>
    r.medianLeadDays === null ? "n/a" : String(r.medianLeadDays),
  );
  row("false alarms / healthy acct-yr", (r) => fmt(r.falseAlarmsPerHealthyAccountYear));
  row("AUC 60 days before churn", (r) => fmt(r.auc60, 3));
  io.log(
    `scales: ${Object.entries(fit.scales)
      .map(([k, v]) => `${k} ×${v.toFixed(2)}`)
      .join(", ")}`,
  );
  io.log(
    flags.weightsOut
      ? `fitted weights written to ${flags.weightsOut}; nothing changes until they are adopted (ebb score --weights ${flags.weightsOut})`
      : "nothing changes: pass --weights-out <file> to keep the fitted weights, and adopt them with --weights",
  );
  return fit.after.report;
}

/**
 * Each account's kind, where the folder names them: a generated portfolio's `truth.ndjson`
 * (`{"accountId", "archetype"}` a line). Not part of the interchange format, so a line that does
 * not parse is skipped, never an error.
 */
async function readKinds(dir: string): Promise<Map<string, string>> {
  const kinds = new Map<string, string>();
  const file = join(dir, "truth.ndjson");
  if (!existsSync(file)) return kinds;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    try {
      const t = JSON.parse(line) as { accountId?: unknown; archetype?: unknown; kind?: unknown };
      const kind = typeof t.archetype === "string" ? t.archetype : t.kind;
      if (typeof t.accountId === "string" && typeof kind === "string") kinds.set(t.accountId, kind);
    } catch {
      // not a kind line
    }
  }
  return kinds;
}
