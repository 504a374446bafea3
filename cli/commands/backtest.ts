// `ebb backtest <input-dir> [--json]`: recall, lead time, false alarms and AUC on the folder's own outcomes.
import { backtest } from "../../core/backtest.ts";
import { CliError } from "../errors.ts";
import { readInterchangeFolder } from "../read-folder.ts";
import { issueLines, printIssues } from "../report-issues.ts";

export async function runBacktest(
  inputDir: string,
  flags: { json?: boolean; from?: string; to?: string },
  io: { log(l: string): void; warn(l: string): void },
) {
  const read = await readInterchangeFolder(inputDir);
  if (read.portfolio.outcomes.length === 0)
    throw new CliError(`no outcomes in ${inputDir}: a backtest needs outcomes.ndjson`);
  printIssues(issueLines(read.issues, []), io.warn);
  const r = backtest(read.portfolio, {
    ...(flags.from ? { from: flags.from } : {}),
    ...(flags.to ? { to: flags.to } : {}),
  });
  if (flags.json) {
    io.log(JSON.stringify(r, null, 2));
    return r;
  }
  const fmt = (x: number | null, digits = 2) => (x === null ? "n/a" : x.toFixed(digits));
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
  return r;
}
