// A pulled page can be far larger than one call to the tenant store may carry (Workers RPC takes at
// most 32 MiB: 100 companies' usage history alone is ~70,000 rows). It goes over in slices; only the
// last slice carries the cursor, so a crash between slices re-pulls the page and the upserts,
// being idempotent, simply happen again.
import type { RecordBatch } from "../../connectors/connector.ts";
import { emptyBatch } from "../../connectors/records.ts";
import { RECORD_KINDS } from "../../core/model.ts";

/** Rows per slice: well under 32 MiB at a few hundred bytes a record. */
export const SLICE_ROWS = 20_000;

export function sliceBatch(batch: RecordBatch, maxRows = SLICE_ROWS): RecordBatch[] {
  const slices: RecordBatch[] = [];
  let current: RecordBatch = emptyBatch();
  let rows = 0;
  const flush = () => {
    if (rows === 0) return;
    slices.push(current);
    current = emptyBatch();
    rows = 0;
  };
  // Accounts go first, so later slices' records find their account already linked.
  for (const kind of RECORD_KINDS) {
    for (const r of batch[kind]) {
      (current[kind] as unknown[]).push(r);
      if (++rows >= maxRows) flush();
    }
  }
  for (const d of batch.deleted) {
    current.deleted.push(d);
    if (++rows >= maxRows) flush();
  }
  flush();
  return slices.length ? slices : [emptyBatch()];
}
