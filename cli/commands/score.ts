// `ebb score <input-dir> --out <dir>`: snapshots.ndjson (one per account per day), tasks.ndjson
// (each task with the day it was raised), alerts.ndjson (portfolio-level incidents); then, after the
// one-line summary, the portfolio on its last day and the accounts at risk now with their reasons.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SingleBar } from "cli-progress";
import type { HealthSnapshot } from "../../core/model.ts";
import { isAlert } from "../../core/playbooks.ts";
import { signalLabel, topReasons } from "../../core/reasons.ts";
import { withoutEvidence } from "../../core/snapshot.ts";
import { NdjsonWriter, writeNdjson } from "../ndjson-writer.ts";
import { readFolderInBatches } from "../read-batches.ts";
import { issueLines, printIssues } from "../report-issues.ts";
import { scoreInBatches } from "../score-batches.ts";
import { readWeightsFile } from "../weights-file.ts";

export interface ScoreFlags {
  out: string;
  from?: string;
  to?: string;
  /** Accounts held in memory at a time (default BATCH_ACCOUNTS). */
  batch?: number;
  /** A file of stage weights to score with (default: Ebb's own). */
  weights?: string;
}

export async function runScore(
  inputDir: string,
  flags: ScoreFlags,
  io: { log(l: string): void; warn(l: string): void; tty: boolean },
) {
  const started = performance.now();
  // One pass validates and spills the records by batch of accounts; scoring then holds one
  // batch's records at a time (cli/score-batches.ts).
  const weights = flags.weights ? await readWeightsFile(flags.weights) : undefined;
  const folder = await readFolderInBatches(inputDir, flags.batch);
  try {
    const snapshots = new NdjsonWriter(join(flags.out, "snapshots.ndjson"));
    const tasks = new NdjsonWriter(join(flags.out, "tasks.ndjson"));
    const bar = io.tty
      ? new SingleBar({
          format: "scoring {bar} {value}/{total} accounts  {eta_formatted}",
          stream: process.stderr,
          hideCursor: true,
        })
      : undefined;
    bar?.start(folder.accounts.length, 0);
    let done = 0;
    // Each account's latest snapshot, what "now" is read from: in full only while it is an alert
    // (its reasons are printed), else just its day, band and score.
    const last = new Map<string, HealthSnapshot>();
    const summary = await scoreInBatches(
      folder,
      {
        ...(flags.from ? { from: flags.from } : {}),
        ...(flags.to ? { to: flags.to } : {}),
        ...(weights ? { weights } : {}),
      },
      {
        snapshot: (s) => {
          snapshots.write(s);
          last.set(s.accountId, isAlert(s) ? s : withoutEvidence(s));
        },
        task: (t) => tasks.write(t),
        accountDone: () => bar?.update(++done),
      },
    );
    bar?.stop();
    snapshots.close();
    tasks.close();
    writeNdjson(join(flags.out, "alerts.ndjson"), summary.alerts);
    const lines = issueLines(folder.issues, summary.orphans);
    if (lines.length) writeFileSync(join(flags.out, "issues.txt"), `${lines.join("\n")}\n`);
    printIssues(lines, io.warn, join(flags.out, "issues.txt"));
    const seconds = (performance.now() - started) / 1000;
    io.log(
      `scored ${summary.accounts} accounts × ${summary.accountDays} account-days in ${seconds.toFixed(1)} s: ${snapshots.count} snapshots, ${summary.tasksOpened} tasks opened, ${summary.tasksClosed} closed, ${summary.alerts.length} portfolio alert${summary.alerts.length === 1 ? "" : "s"} → ${flags.out}`,
    );
    const names = new Map(folder.accounts.map((a) => [a.id, a.name]));
    printNow([...last.values()], names, summary.alerts, io.log);
    return summary;
  } finally {
    folder.close();
  }
}

/**
 * The portfolio on its last scored day, and the accounts at risk or decaying that day, worst first,
 * each with its top reasons. Accounts whose data ended earlier (churned) are not "now".
 */
function printNow(
  latest: HealthSnapshot[],
  names: ReadonlyMap<string, string>,
  alerts: readonly { day: string; title: string }[],
  log: (l: string) => void,
) {
  const day = latest.reduce((d, s) => (s.day > d ? s.day : d), "");
  if (!day) return;
  const current = latest.filter((s) => s.day === day);
  const count = (band: string) => current.filter((s) => s.band === band).length;
  const atRisk = current.filter((s) => isAlert(s)).sort((a, b) => a.score - b.score);
  log("");
  log(
    `Portfolio on ${day}: ${current.length} accounts — ${count("healthy")} healthy, ${count("watch")} watch, ${count("at_risk")} at risk, ${count("insufficient_data")} insufficient data`,
  );
  for (const alert of alerts) log(`Portfolio alert (${alert.day}): ${alert.title}`);
  log("");
  log(`At risk or decaying now (${atRisk.length}):`);
  for (const s of atRisk) {
    const name = names.get(s.accountId);
    log(
      `  ${s.accountId}${name && name !== s.accountId ? ` (${name})` : ""}  score ${String(s.score).padStart(3)}  ${s.band.replace("_", " ")}, ${s.trend}`,
    );
    for (const r of topReasons(s)) log(`      ${signalLabel(r.key)}: ${r.evidence}`);
  }
}
