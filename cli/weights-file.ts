// Stage weights from a file (what `ebb backtest --fit --weights-out` writes): validated whole, a
// bad file named with the field that is wrong.
import { readFile } from "node:fs/promises";
import { type StageWeights, StageWeightsFile } from "../core/weights.ts";
import { CliError } from "./errors.ts";

export async function readWeightsFile(path: string): Promise<StageWeights> {
  const text = await readFile(path, "utf8").catch((e: Error) => {
    throw new CliError(`cannot read the weights file ${path}: ${e.message}`);
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = StageWeightsFile.safeParse(value);
  if (!parsed.success)
    throw new CliError(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ")}`,
    );
  return parsed.data as StageWeights;
}
