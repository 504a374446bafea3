// The admin's list of every account: search, filters (owner, band, trend, lifecycle stage, renewal
// within N days, ARR range, vendor), a sort on any column, pages. One read of the accounts with
// their latest snapshot and vendor links, filtered and sorted here: a tenant's accounts are
// thousands, not millions, and every filter can combine with every other.
import { toDayNumber } from "../../core/day.ts";
import type { Account, Band, Stage, Trend } from "../../core/model.ts";
import { stageOfAccount } from "../../core/weights.ts";

export const SORTS = [
  "name",
  "owner",
  "score",
  "band",
  "trend",
  "stage",
  "arr",
  "renewal",
] as const;
export type Sort = (typeof SORTS)[number];

export interface AccountFilter {
  q?: string | undefined;
  owner?: string | undefined;
  band?: Band | undefined;
  trend?: Trend | undefined;
  stage?: Stage | undefined;
  /** Renewal within this many days of today (and not past). */
  renewalWithin?: number | undefined;
  arrMin?: number | undefined;
  arrMax?: number | undefined;
  vendor?: string | undefined;
  sort?: Sort | undefined;
  desc?: boolean | undefined;
  page?: number | undefined;
  perPage?: number | undefined;
}

export interface AccountRow {
  id: string;
  name: string;
  owner: string | null;
  score: number | null;
  band: Band | null;
  trend: Trend | null;
  stage: Stage;
  arr: number | null;
  renewalAt: string | null;
  scoredOn: string | null;
  vendors: string[];
}

export interface AccountList {
  rows: AccountRow[];
  /** Accounts matching the filter, over all pages. */
  total: number;
  page: number;
  pages: number;
  /** What the filters can choose from. */
  owners: string[];
  vendors: string[];
}

const BAND_ORDER: Record<string, number> = {
  at_risk: 0,
  watch: 1,
  insufficient_data: 2,
  healthy: 3,
};

export function listAccounts(sql: SqlStorage, f: AccountFilter, today: string): AccountList {
  const links = new Map<string, string[]>();
  for (const l of sql.exec<{ account_id: string; vendor: string }>(
    "SELECT DISTINCT account_id, vendor FROM account_links ORDER BY vendor",
  )) {
    const list = links.get(l.account_id) ?? [];
    list.push(l.vendor);
    links.set(l.account_id, list);
  }
  const day = toDayNumber(today);
  const all: AccountRow[] = sql
    .exec<{
      id: string;
      data: string;
      score: number | null;
      band: Band | null;
      trend: Trend | null;
      day: string | null;
    }>(
      `SELECT a.id, a.data, l.score, l.band, l.trend, l.day FROM accounts a
       LEFT JOIN latest_snapshots l ON l.account_id = a.id`,
    )
    .toArray()
    .map((r) => {
      const a = JSON.parse(r.data) as Account;
      return {
        id: r.id,
        name: a.name,
        owner: a.ownerEmail ?? a.ownerId ?? null,
        score: r.score,
        band: r.band,
        trend: r.trend,
        stage: stageOfAccount(a, day),
        arr: a.arr ?? null,
        renewalAt: a.renewalAt ?? null,
        scoredOn: r.day,
        vendors: links.get(r.id) ?? [],
      };
    });
  const q = f.q?.trim().toLowerCase();
  const rows = all.filter(
    (r) =>
      (!q || r.name.toLowerCase().includes(q) || r.id.toLowerCase().includes(q)) &&
      (!f.owner || r.owner === f.owner) &&
      (!f.band || r.band === f.band) &&
      (!f.trend || r.trend === f.trend) &&
      (!f.stage || r.stage === f.stage) &&
      (f.renewalWithin === undefined ||
        (r.renewalAt !== null &&
          toDayNumber(r.renewalAt) >= day &&
          toDayNumber(r.renewalAt) - day <= f.renewalWithin)) &&
      (f.arrMin === undefined || (r.arr ?? -1) >= f.arrMin) &&
      (f.arrMax === undefined || (r.arr !== null && r.arr <= f.arrMax)) &&
      (!f.vendor || r.vendors.includes(f.vendor)),
  );
  const sort = f.sort ?? "score";
  const key = (r: AccountRow): string | number => {
    switch (sort) {
      case "name":
        return r.name.toLowerCase();
      case "owner":
        return r.owner ?? "~";
      case "score":
        return r.score ?? 101;
      case "band":
        return BAND_ORDER[r.band ?? ""] ?? 4;
      case "trend":
        return r.trend ?? "~";
      case "stage":
        return r.stage;
      case "arr":
        return r.arr ?? -1;
      case "renewal":
        return r.renewalAt ?? "9999";
    }
  };
  const dir = f.desc ? -1 : 1;
  rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x < y) return -dir;
    if (x > y) return dir;
    return a.name.localeCompare(b.name);
  });
  const perPage = f.perPage ?? 50;
  const pages = Math.max(1, Math.ceil(rows.length / perPage));
  const page = Math.min(Math.max(1, f.page ?? 1), pages);
  return {
    rows: rows.slice((page - 1) * perPage, page * perPage),
    total: rows.length,
    page,
    pages,
    owners: [...new Set(all.map((r) => r.owner).filter((o): o is string => o !== null))].sort(),
    vendors: [...new Set(all.flatMap((r) => r.vendors))].sort(),
  };
}
