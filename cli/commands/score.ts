// `ebb score <input-dir> --out <dir>`: snapshots.ndjson (one per account per day), tasks.ndjson
// (each task with the day it was raised), alerts.ndjson (portfolio-level incidents).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SingleBar } from "cli-progress";
import { scorePortfolio } from "../../core/engine.ts";
import type { HealthSnapshot } from "../../core/model.ts";
import { NdjsonWriter, writeNdjson } from "../ndjson-writer.ts";
import { readInterchangeFolder } from "../read-folder.ts";
import { issueLines, printIssues } from "../report-issues.ts";

export interface ScoreFlags {
  out: string;
  from?: string;
  to?: string;
  /** Also hand each snapshot to the caller (the demo keeps each account's last one). */
  onSnapshot?: (s: HealthSnapshot) => void;
}

export async function runScore(
  inputDir: string,
  flags: ScoreFlags,
  io: { log(l: string): void; warn(l: string): void; tty: boolean },
) {
  const started = performance.now();
  const read = await readInterchangeFolder(inputDir);
  const snapshots = new NdjsonWriter(join(flags.out, "snapshots.ndjson"));
  const tasks = new NdjsonWriter(join(flags.out, "tasks.ndjson"));
  const bar = io.tty
    ? new SingleBar({
        format: "scoring {bar} {value}/{total} accounts  {eta_formatted}",
        stream: process.stderr,
        hideCursor: true,
      })
    : undefined;
  bar?.start(read.portfolio.accounts.length, 0);
  let done = 0;
  const summary = scorePortfolio(
    read.portfolio,
    { ...(flags.from ? { from: flags.from } : {}), ...(flags.to ? { to: flags.to } : {}) },
    {
      snapshot: (s) => {
        snapshots.write(s);
        flags.onSnapshot?.(s);
      },
      task: (t) => tasks.write(t),
      accountDone: () => bar?.update(++done),
    },
  );
  bar?.stop();
  snapshots.close();
  tasks.close();
  writeNdjson(join(flags.out, "alerts.ndjson"), summary.alerts);
  const lines = issueLines(read.issues, summary.orphans);
  if (lines.length) writeFileSync(join(flags.out, "issues.txt"), `${lines.join("\n")}\n`);
  printIssues(lines, io.warn, join(flags.out, "issues.txt"));
  const seconds = (performance.now() - started) / 1000;
  io.log(
    `scored ${summary.accounts} accounts × ${summary.accountDays} account-days in ${seconds.toFixed(1)} s: ${snapshots.count} snapshots, ${summary.tasksOpened} tasks opened, ${summary.tasksClosed} closed, ${summary.alerts.length} portfolio alert${summary.alerts.length === 1 ? "" : "s"} → ${flags.out}`,
  );
  return summary;
}
