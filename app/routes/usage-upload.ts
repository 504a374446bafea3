// An admin's upload of daily usage, for teams without an analytics pipeline: CSV with a header
// (accountId, day, activeUsers, events, and optionally feature) or NDJSON in the interchange
// format. Every line is checked against the interchange schema; a bad line is named with its
// number and field, and the good ones are kept.
import { parse } from "csv-parse/browser/esm/sync";
import type { UsageSample } from "../../core/model.ts";
import { formatIssue, parseLine } from "../../core/ndjson.ts";

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export interface ReadUpload {
  samples: { line: number; sample: UsageSample }[];
  errors: string[];
}

const COLUMNS = ["accountId", "day", "activeUsers", "events", "feature"] as const;

export function readUsageUpload(name: string, text: string): ReadUpload {
  const trimmed = text.trimStart();
  const ndjson = /\.(nd)?json$/i.test(name) || trimmed.startsWith("{");
  return ndjson ? readNdjson(name, text) : readCsv(name, text);
}

function readNdjson(name: string, text: string): ReadUpload {
  const out: ReadUpload = { samples: [], errors: [] };
  text.split(/\r?\n/).forEach((l, k) => {
    const r = parseLine("usage", name, k + 1, l);
    if (!r) return;
    if (r.ok) out.samples.push({ line: k + 1, sample: r.record });
    else out.errors.push(...r.issues.map(formatIssue));
  });
  return out;
}

function readCsv(name: string, text: string): ReadUpload {
  const out: ReadUpload = { samples: [], errors: [] };
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (e) {
    return { samples: [], errors: [`${name}: not readable as CSV (${(e as Error).message})`] };
  }
  const header = rows[0]?.map((h) => h.trim());
  if (!header?.includes("accountId") || !header.includes("day"))
    return {
      samples: [],
      errors: [
        `${name}:1: the header must name accountId and day (and activeUsers, events, feature)`,
      ],
    };
  const unknown = header.filter((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknown.length)
    out.errors.push(
      `${name}:1: columns ${unknown.join(", ")} are not read (known: ${COLUMNS.join(", ")})`,
    );
  rows.slice(1).forEach((row, k) => {
    const line = k + 2;
    const record: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const v = row[j];
      if (v === undefined || v === "" || !(COLUMNS as readonly string[]).includes(h)) return;
      record[h] =
        h === "activeUsers" || h === "events" ? (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v) : v;
    });
    const r = parseLine("usage", name, line, JSON.stringify(record));
    if (!r) return;
    if (r.ok) out.samples.push({ line, sample: r.record });
    else out.errors.push(...r.issues.map(formatIssue));
  });
  return out;
}
