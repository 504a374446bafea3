// `ebb demo --core`: generate a portfolio, score it in this process (no Worker): `ebb score` prints
// the portfolio on its last day and the accounts at risk then, with their reasons.
import { join } from "node:path";
import { runGenerate } from "./generate.ts";
import { runScore } from "./score.ts";

export async function runCoreDemo(
  flags: { out: string; accounts: number; seed: number },
  io: { log(l: string): void; warn(l: string): void; tty: boolean },
) {
  const input = join(flags.out, "portfolio");
  const scored = join(flags.out, "scored");
  runGenerate(input, { accounts: flags.accounts, seed: flags.seed }, io.log);
  await runScore(input, { out: scored }, io);
  io.log("");
  io.log(`Snapshots, tasks and alerts are in ${scored}; try \`npx ebb backtest ${input}\`.`);
}
