// Building blocks for record batches and push results, shared by every connector.
import { emptyPortfolio } from "../core/model.ts";
import type { PushResult, RecordBatch } from "./connector.ts";

export function emptyBatch(): RecordBatch {
  return { ...emptyPortfolio(), deleted: [] };
}

export function emptyPushResult(): PushResult {
  return {
    writeCalls: 0,
    updatedRecords: 0,
    tasksCreated: 0,
    tasksCompleted: 0,
    failures: [],
    written: {},
  };
}
