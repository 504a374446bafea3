// `ebb generate <out-dir> --accounts N --seed S`: the synthetic portfolio in the interchange format,
// plus its ground truth (truth.ndjson).
import { join } from "node:path";
import { generateAccount } from "../../core/generate/generate.ts";
import { planOf } from "../../core/generate/life.ts";
import { INTERCHANGE_FILES, RECORD_KINDS } from "../../core/model.ts";
import { NdjsonWriter } from "../ndjson-writer.ts";

export interface GenerateFlags {
  accounts: number;
  seed: number;
  start?: string;
  days?: number;
}

export function runGenerate(
  outDir: string,
  flags: GenerateFlags,
  log: (line: string) => void,
): void {
  // Account by account, straight to the files: a portfolio of any size is never held whole.
  const writers = new Map(
    RECORD_KINDS.map((kind) => [
      kind,
      new NdjsonWriter(join(outDir, INTERCHANGE_FILES[kind].file)),
    ]),
  );
  const truth = new NdjsonWriter(join(outDir, "truth.ndjson"));
  const plan = planOf(flags);
  let total = 0;
  let churned = 0;
  for (let i = 0; i < flags.accounts; i++) {
    const g = generateAccount(flags, i, plan);
    writers.get("accounts")?.write(g.account);
    total++;
    for (const kind of RECORD_KINDS) {
      if (kind === "accounts") continue;
      const w = writers.get(kind);
      for (const r of g[kind] as unknown[]) w?.write(r);
      total += (g[kind] as unknown[]).length;
    }
    truth.write(g.truth);
    if (g.truth.churnAt) churned++;
  }
  for (const w of writers.values()) w.close();
  truth.close();
  log(
    `generated ${flags.accounts} accounts (${total} records, ${churned} churn) into ${outDir} with seed ${flags.seed}`,
  );
}
