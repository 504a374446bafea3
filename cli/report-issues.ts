// Prints bad records the one way: `file:line: field: problem`, the first few on stderr, all to a file.

import type { ScoreSummary } from "../core/engine.ts";
import { formatIssue, type RecordIssue } from "../core/ndjson.ts";

const SHOW = 20;

export function issueLines(issues: RecordIssue[], orphans: ScoreSummary["orphans"]): string[] {
  return [
    ...issues.map(formatIssue),
    ...orphans.map(
      (o) =>
        `${o.kind}.ndjson: accountId: unknown account "${o.accountId}" (record ${o.id}); not scored`,
    ),
  ];
}

export function printIssues(
  lines: string[],
  warn: (line: string) => void,
  fullListAt?: string,
): void {
  if (lines.length === 0) return;
  for (const line of lines.slice(0, SHOW)) warn(line);
  if (lines.length > SHOW)
    warn(`… and ${lines.length - SHOW} more${fullListAt ? ` (all in ${fullListAt})` : ""}`);
  warn(`${lines.length} bad record${lines.length === 1 ? "" : "s"} skipped; the rest were scored.`);
}
