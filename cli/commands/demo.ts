// `ebb demo --core`: generate a portfolio, score it in this process (no Worker), and print the
// accounts at risk on the last day with their reasons.
import { join } from "node:path";
import type { HealthSnapshot } from "../../core/model.ts";
import { isAlert } from "../../core/playbooks.ts";
import { signalLabel, topReasons } from "../../core/reasons.ts";
import { runGenerate } from "./generate.ts";
import { runScore } from "./score.ts";

export async function runCoreDemo(
  flags: { out: string; accounts: number; seed: number },
  io: { log(l: string): void; warn(l: string): void; tty: boolean },
) {
  const input = join(flags.out, "portfolio");
  const scored = join(flags.out, "scored");
  runGenerate(input, { accounts: flags.accounts, seed: flags.seed }, io.log);
  const last = new Map<string, HealthSnapshot>();
  const summary = await runScore(
    input,
    { out: scored, onSnapshot: (s) => last.set(s.accountId, s) },
    io,
  );
  const atRisk = [...last.values()].filter((s) => isAlert(s)).sort((a, b) => a.score - b.score);
  const day = [...last.values()].reduce((d, s) => (s.day > d ? s.day : d), "");
  const current = [...last.values()].filter((s) => s.day === day);
  const count = (band: string) => current.filter((s) => s.band === band).length;
  io.log("");
  io.log(
    `Portfolio on ${day}: ${current.length} accounts — ${count("healthy")} healthy, ${count("watch")} watch, ${count("at_risk")} at risk, ${count("insufficient_data")} insufficient data`,
  );
  for (const alert of summary.alerts) io.log(`Portfolio alert (${alert.day}): ${alert.title}`);
  io.log("");
  io.log(`At risk or decaying now (${atRisk.filter((s) => s.day === day).length}):`);
  for (const s of atRisk.filter((x) => x.day === day)) {
    io.log(
      `  ${s.accountId}  score ${String(s.score).padStart(3)}  ${s.band.replace("_", " ")}, ${s.trend}`,
    );
    for (const r of topReasons(s)) io.log(`      ${signalLabel(r.key)}: ${r.evidence}`);
  }
  io.log("");
  io.log(`Snapshots, tasks and alerts are in ${scored}; try \`npx ebb backtest ${input}\`.`);
}
