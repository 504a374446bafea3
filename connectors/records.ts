// Building blocks for record batches, shared by every connector.
import { emptyPortfolio } from "../core/model.ts";
import type { RecordBatch } from "./connector.ts";

export function emptyBatch(): RecordBatch {
  return { ...emptyPortfolio(), deleted: [] };
}
