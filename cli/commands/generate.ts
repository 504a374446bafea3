// `ebb generate <out-dir> --accounts N --seed S`: the synthetic portfolio in the interchange format,
// plus its ground truth (truth.ndjson).
import { join } from "node:path";
import { generatePortfolio } from "../../core/generate/generate.ts";
import { INTERCHANGE_FILES, RECORD_KINDS } from "../../core/model.ts";
import { writeNdjson } from "../ndjson-writer.ts";

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
  const { portfolio, truth } = generatePortfolio(flags);
  let total = 0;
  for (const kind of RECORD_KINDS) {
    total += writeNdjson(join(outDir, INTERCHANGE_FILES[kind].file), portfolio[kind]);
  }
  writeNdjson(join(outDir, "truth.ndjson"), truth);
  const churned = truth.filter((t) => t.churnAt).length;
  log(
    `generated ${flags.accounts} accounts (${total} records, ${churned} churn) into ${outDir} with seed ${flags.seed}`,
  );
}
