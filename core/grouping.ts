// A portfolio's records grouped by account in one pass, with the records naming an unknown account
// (reported, not scored) and each account's churn day.
import { toDayNumber } from "./day.ts";
import type { Portfolio } from "./model.ts";
import { type AccountRecords, emptyRecords } from "./timeline.ts";

/** A record naming an account that is not in the portfolio's accounts. */
export interface Orphan {
  kind: string;
  id: string;
  accountId: string;
}

/** Group a portfolio's records by account, in one pass. */
export function groupByAccount(p: Portfolio): {
  groups: AccountRecords[];
  orphans: Orphan[];
  churnDay: Map<string, number>;
} {
  const byId = new Map<string, AccountRecords>();
  for (const account of p.accounts) {
    byId.set(account.id, emptyRecords(account));
  }
  const orphans: Orphan[] = [];
  const put = <K extends "stakeholders" | "tickets" | "engagements" | "usage" | "milestones">(
    kind: K,
    rows: AccountRecords[K],
  ) => {
    // Readers and generators write an account's records together: take each run of rows for one
    // account as one slice, looking the account up once per run rather than once per record.
    for (let k = 0; k < rows.length; ) {
      const accountId = rows[k]!.accountId;
      let end = k + 1;
      while (end < rows.length && rows[end]!.accountId === accountId) end++;
      const g = byId.get(accountId);
      if (g) {
        const list = g[kind] as (typeof rows)[number][];
        if (list.length === 0) g[kind] = rows.slice(k, end) as AccountRecords[K];
        else for (let j = k; j < end; j++) list.push(rows[j]!);
      } else {
        for (let j = k; j < end; j++) {
          const row = rows[j]!;
          orphans.push({
            kind,
            id: "id" in row ? row.id : `${row.accountId}@${"day" in row ? row.day : ""}`,
            accountId: row.accountId,
          });
        }
      }
      k = end;
    }
  };
  put("stakeholders", p.stakeholders);
  put("tickets", p.tickets);
  put("engagements", p.engagements);
  put("usage", p.usage);
  put("milestones", p.milestones);
  const churnDay = new Map<string, number>();
  for (const o of p.outcomes) {
    if (o.kind !== "churned") continue;
    const d = toDayNumber(o.at);
    const prev = churnDay.get(o.accountId);
    if (prev === undefined || d < prev) churnDay.set(o.accountId, d);
  }
  return { groups: [...byId.values()], orphans, churnDay };
}
