// A tenant's accounts (one row per customer, however many vendors know it) and their records.
// Vendor records name accounts by the vendor's id; they are stored under Ebb's account id, found by
// the vendor link first and by domain second — only ever joining another vendor's account: two
// accounts of one vendor are two customers, whatever their domains. A domain that matches several
// of other vendors' accounts is not guessed: the account stands alone and waits for an admin.
import type { RecordBatch } from "../../connectors/connector.ts";
import { toDayString } from "../../core/day.ts";
import { contributionOf } from "../../core/facts.ts";
import {
  type Account,
  emptyPortfolio,
  type Portfolio,
  RECORD_KINDS,
  type UsageSample,
} from "../../core/model.ts";

type RecordKind = Exclude<keyof Portfolio, "accounts">;
const KINDS = RECORD_KINDS.filter((k): k is RecordKind => k !== "accounts");

/** Records that carry no id of their own are keyed by what makes them unique. */
function keyOf(kind: RecordKind, r: Portfolio[RecordKind][number]): string {
  if ("id" in r) return r.id;
  if (kind === "usage" && "day" in r)
    return `${r.accountId}@${r.day}@${"feature" in r ? (r.feature ?? "") : ""}`;
  if ("kind" in r && "at" in r) return `${r.accountId}@${r.kind}@${r.at}`;
  return r.accountId;
}

type Columns = [number | null, number | null, number | null, number, number, string | null];
const NO_CONTRIBUTION: Columns = [null, null, null, 0, 0, null];

/**
 * The columns a dated record (ticket, engagement, usage day) carries for the portfolio aggregates:
 * day number, active users, events, customer contact, support trouble, tags (JSON). Null for
 * other kinds, and for a record whose day cannot be read (it adds nothing, as in core).
 */
export function contributionColumns(kind: string, r: unknown): Columns | null {
  if (kind !== "tickets" && kind !== "engagements" && kind !== "usage") return null;
  const c = contributionOf({ kind, record: r } as Parameters<typeof contributionOf>[0]);
  if (!Number.isFinite(c.day)) return null;
  return [
    c.day,
    c.users,
    c.events,
    c.contact,
    c.trouble,
    kind === "tickets" ? JSON.stringify(c.tags) : null,
  ];
}

/**
 * A record as stored: without what its columns already hold (the account, always; a usage day's
 * day and counts, which are most of a tenant's rows). `recordOf` puts them back.
 */
function compactData(kind: RecordKind, r: Portfolio[RecordKind][number]): string {
  if (kind === "usage") {
    const { accountId: _a, day: _d, activeUsers: _u, events: _e, ...rest } = r as UsageSample;
    return JSON.stringify(rest);
  }
  const { accountId: _, ...rest } = r as { accountId: string };
  return JSON.stringify(rest);
}

/** A records row as a slice reads it. */
interface StoredRecord {
  kind: RecordKind;
  account_id: string;
  data: string;
  day: number | null;
  users: number | null;
  events: number | null;
}

function recordOf(row: StoredRecord): unknown {
  const rest = JSON.parse(row.data) as Record<string, unknown>;
  if (row.kind !== "usage") return { ...rest, accountId: row.account_id };
  return {
    ...rest,
    accountId: row.account_id,
    day: toDayString(row.day as number),
    ...(row.users === null ? {} : { activeUsers: row.users }),
    ...(row.events === null ? {} : { events: row.events }),
  };
}

/** The day a record speaks for, for each source's data age. */
function dayOf(r: Portfolio[RecordKind][number]): string | null {
  if ("createdAt" in r) return r.createdAt.slice(0, 10);
  if ("day" in r) return r.day;
  if ("at" in r) return r.at.slice(0, 10);
  if ("dueAt" in r) return r.dueAt;
  return null;
}

/** A domain as accounts are matched by: trimmed, lower case, without `www.`; null when empty. */
export const normalDomain = (d: string | undefined) =>
  d
    ? d
        .trim()
        .toLowerCase()
        .replace(/^www\./, "") || null
    : null;

/**
 * Find or create the Ebb account for a vendor's account and merge what the vendor says. A new
 * vendor account joins the one account of the tenant with its domain that this vendor does not
 * already hold; with several such accounts it stands alone and is put on the review list.
 */
export function upsertAccount(
  sql: SqlStorage,
  vendor: string,
  a: Account,
  now = Date.now(),
): string {
  const domain = normalDomain(a.domain);
  const linked = sql
    .exec<{ account_id: string }>(
      "SELECT account_id FROM account_links WHERE vendor = ? AND source_id = ?",
      vendor,
      a.id,
    )
    .toArray()[0]?.account_id;
  // Not yet linked: first by an id the vendor says this account has elsewhere (a Zendesk
  // organization's external_id holding the CRM's id), or that another vendor's account says this
  // one has, then by any of its domains. Only accounts
  // this vendor does not already hold are candidates.
  const byLinkedId = (id: string) =>
    sql
      .exec<{ id: string }>(
        `SELECT DISTINCT l.account_id AS id FROM account_links l
         WHERE l.vendor <> ? AND (l.external_id = ? OR l.source_id = ? OR l.account_id = ?)
           AND NOT EXISTS (SELECT 1 FROM account_links m WHERE m.account_id = l.account_id AND m.vendor = ?)
         ORDER BY id LIMIT 20`,
        vendor,
        id,
        id,
        id,
        vendor,
      )
      .toArray()
      .map((r) => r.id);
  const byDomains = (domains: string[]) =>
    [
      ...new Set(
        domains.flatMap((d) =>
          sql
            .exec<{ id: string }>(
              `SELECT id FROM accounts WHERE domain = ? AND NOT EXISTS (
                 SELECT 1 FROM account_links l WHERE l.account_id = accounts.id AND l.vendor = ?)
               ORDER BY id LIMIT 20`,
              d,
              vendor,
            )
            .toArray()
            .map((r) => r.id),
        ),
      ),
    ].sort();
  // The other direction: an account another vendor brought earlier that names this one's id
  // (a Zendesk organization whose external_id is this Salesforce account's id).
  const namingThis = (ids: string[]) =>
    [
      ...new Set(
        ids.flatMap((id) =>
          sql
            .exec<{ id: string }>(
              `SELECT DISTINCT a.id AS id FROM accounts a, json_each(a.data, '$.linkedIds') j
               WHERE j.value = ? AND NOT EXISTS (
                 SELECT 1 FROM account_links m WHERE m.account_id = a.id AND m.vendor = ?)
               ORDER BY a.id LIMIT 20`,
              id,
              vendor,
            )
            .toArray()
            .map((r) => r.id),
        ),
      ),
    ].sort();
  let candidates: string[] = [];
  let key: string | null = null;
  if (linked === undefined) {
    const ids = a.linkedIds ?? [];
    candidates = [...new Set(ids.flatMap(byLinkedId))].sort();
    key = ids.length > 0 ? `external id ${ids.join(", ")}` : null;
    if (candidates.length === 0) {
      const own = [...new Set(Object.values(a.externalIds ?? {}))];
      candidates = namingThis(own);
      if (candidates.length > 0) key = `external id ${own.join(", ")}`;
    }
    if (candidates.length === 0) {
      const domains = [domain, ...(a.otherDomains ?? []).map(normalDomain)].filter(
        (d): d is string => !!d,
      );
      candidates = byDomains([...new Set(domains)]);
      key = domains.join(", ") || null;
    }
  }
  if (candidates.length > 1 && key)
    sql.exec(
      `INSERT INTO identity_review (vendor, source_id, domain, candidates, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (vendor, source_id) DO NOTHING`,
      vendor,
      a.id,
      key,
      JSON.stringify(candidates),
      now,
    );
  const byDomain = candidates.length === 1 ? candidates[0] : undefined;
  const id = linked ?? byDomain ?? a.id;
  const prior = sql
    .exec<{ data: string }>("SELECT data FROM accounts WHERE id = ?", id)
    .toArray()[0];
  const before = prior ? (JSON.parse(prior.data) as Account) : undefined;
  // The vendor whose account it is updates it; a vendor that joined another's account only fills
  // what that one leaves unsaid (a Zendesk organization does not rename the CRM's company).
  const own = id === a.id;
  const merged = {
    ...(own ? before : a),
    ...(own ? a : before),
    id,
    externalIds: { ...before?.externalIds, ...a.externalIds },
  } as Account;
  sql.exec(
    `INSERT INTO accounts (id, domain, name, data) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET domain = COALESCE(excluded.domain, accounts.domain),
       name = excluded.name, data = excluded.data`,
    id,
    domain,
    merged.name,
    JSON.stringify(merged),
  );
  const external = a.externalIds?.[vendor] ?? null;
  sql.exec(
    `INSERT INTO account_links (vendor, source_id, external_id, account_id) VALUES (?, ?, ?, ?)
     ON CONFLICT (vendor, source_id) DO UPDATE SET external_id = excluded.external_id,
       account_id = excluded.account_id`,
    vendor,
    a.id,
    external,
    id,
  );
  return id;
}

/** Ebb's account id for a vendor's account id (the vendor's own id while it is not yet linked). */
function accountIdFor(
  sql: SqlStorage,
  vendor: string,
  sourceId: string,
  cache: Map<string, string>,
) {
  const hit = cache.get(sourceId);
  if (hit) return hit;
  const id =
    sql
      .exec<{ account_id: string }>(
        "SELECT account_id FROM account_links WHERE vendor = ? AND source_id = ?",
        vendor,
        sourceId,
      )
      .toArray()[0]?.account_id ?? sourceId;
  cache.set(sourceId, id);
  return id;
}

/**
 * Upsert a page of records idempotently (keyed on kind and id) and apply its deletions. Returns the
 * Ebb account ids it touched and how many rows it wrote. The caller runs it in a transaction.
 */
export function applyRecords(
  sql: SqlStorage,
  vendor: string,
  batch: RecordBatch,
): { touched: Set<string>; rows: number } {
  const touched = new Set<string>();
  const cache = new Map<string, string>();
  let rows = 0;
  for (const a of batch.accounts) {
    const id = upsertAccount(sql, vendor, a);
    cache.set(a.id, id);
    touched.add(id);
    rows++;
  }
  for (const kind of KINDS) {
    for (const r of batch[kind]) {
      const accountId = accountIdFor(sql, vendor, r.accountId, cache);
      const c = contributionColumns(kind, r) ?? NO_CONTRIBUTION;
      // An unchanged record is not written again: nothing to rescore, no aggregate to redo.
      sql.exec(
        `INSERT INTO records (kind, id, vendor, account_id, at, data, day, users, events, contact,
           trouble, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET account_id = excluded.account_id, at = excluded.at,
           data = excluded.data, day = excluded.day, users = excluded.users,
           events = excluded.events, contact = excluded.contact, trouble = excluded.trouble,
           tags = excluded.tags
         WHERE records.account_id IS NOT excluded.account_id OR records.data IS NOT excluded.data
           OR records.day IS NOT excluded.day OR records.users IS NOT excluded.users
           OR records.events IS NOT excluded.events`,
        kind,
        keyOf(kind, r),
        vendor,
        accountId,
        dayOf(r),
        compactData(kind, r),
        ...c,
      );
      touched.add(accountId);
      rows++;
    }
  }
  for (const m of batch.merged ?? []) rows += mergeAccount(sql, vendor, m, cache, touched);
  for (const d of batch.deleted) {
    if (d.kind === "accounts") {
      const id = accountIdFor(sql, vendor, d.id, cache);
      sql.exec("DELETE FROM account_links WHERE vendor = ? AND source_id = ?", vendor, d.id);
      sql.exec("DELETE FROM identity_review WHERE vendor = ? AND source_id = ?", vendor, d.id);
      dropIfUnlinked(sql, id);
      continue;
    }
    const gone = sql
      .exec<{ account_id: string }>(
        "DELETE FROM records WHERE kind = ? AND id = ? RETURNING account_id",
        d.kind,
        d.id,
      )
      .toArray()[0];
    if (gone) touched.add(gone.account_id);
    rows++;
  }
  for (const id of touched)
    sql.exec("INSERT OR IGNORE INTO dirty_accounts (account_id) VALUES (?)", id);
  return { touched, rows };
}

/**
 * A vendor merged account `from` into `into`: this vendor's records of `from` (but its usage, which
 * the survivor's history carries on) move to `into` (created from `from`'s data when the store does
 * not know it yet), the vendor's link to `from` goes, and `from` itself goes once no vendor links to
 * it. Returns the rows moved.
 */
function mergeAccount(
  sql: SqlStorage,
  vendor: string,
  m: NonNullable<RecordBatch["merged"]>[number],
  cache: Map<string, string>,
  touched: Set<string>,
): number {
  const from = accountIdFor(sql, vendor, m.from, cache);
  const known = sql
    .exec<{ account_id: string }>(
      "SELECT account_id FROM account_links WHERE vendor = ? AND source_id = ?",
      vendor,
      m.into,
    )
    .toArray()[0]?.account_id;
  const prior = sql
    .exec<{ data: string }>("SELECT data FROM accounts WHERE id = ?", from)
    .toArray()[0];
  let into = known;
  if (!into) {
    if (!prior) return 0;
    const a = JSON.parse(prior.data) as Account;
    into = upsertAccount(sql, vendor, {
      ...a,
      id: m.into,
      externalIds: { ...a.externalIds, [vendor]: m.intoExternalId },
    });
  }
  cache.set(m.into, into);
  if (into === from) return 0;
  // Usage is the survivor's own property history from now on: the merged company's would count
  // its days twice.
  sql.exec(
    "DELETE FROM records WHERE account_id = ? AND vendor = ? AND kind = 'usage'",
    from,
    vendor,
  );
  const moved = moveRecords(sql, vendor, from, into);
  sql.exec("DELETE FROM account_links WHERE vendor = ? AND source_id = ?", vendor, m.from);
  cache.delete(m.from);
  if (!dropIfUnlinked(sql, from)) touched.add(from);
  touched.add(into);
  return moved;
}

/** Move one vendor's records of account `from` to account `into`; returns the rows moved. */
function moveRecords(sql: SqlStorage, vendor: string, from: string, into: string): number {
  return sql.exec(
    "UPDATE records SET account_id = ? WHERE account_id = ? AND vendor = ?",
    into,
    from,
    vendor,
  ).rowsWritten;
}

/**
 * An account no vendor links to any more is gone from every vendor that knew it: it and its data
 * go too. Returns whether it went.
 */
function dropIfUnlinked(sql: SqlStorage, id: string): boolean {
  const left = sql
    .exec<{ n: number }>("SELECT COUNT(*) AS n FROM account_links WHERE account_id = ?", id)
    .one().n;
  if (left === 0) deleteAccount(sql, id);
  return left === 0;
}

function deleteAccount(sql: SqlStorage, id: string): void {
  for (const table of [
    "records",
    "dirty_accounts",
    "agg_spans",
    "account_checkpoints",
    "score_plan",
    "account_state",
    "snapshots",
    "latest_snapshots",
    "tasks",
    "push_needed",
    "written_fields",
  ])
    sql.exec(`DELETE FROM ${table} WHERE account_id = ?`, id);
  sql.exec("DELETE FROM accounts WHERE id = ?", id);
}

/**
 * These accounts and their records, as the core reads a portfolio (records in the order they were
 * first stored), and how many records that is: one slice of a scoring, never the whole tenant.
 */
export function loadAccounts(
  sql: SqlStorage,
  ids: readonly string[],
): { portfolio: Portfolio; records: number } {
  const p = emptyPortfolio();
  let records = 0;
  for (const id of ids) {
    const row = sql
      .exec<{ data: string }>("SELECT data FROM accounts WHERE id = ?", id)
      .toArray()[0];
    if (!row) continue;
    p.accounts.push(JSON.parse(row.data) as Account);
    for (const r of sql.exec<StoredRecord & Record<string, SqlStorageValue>>(
      "SELECT kind, account_id, data, day, users, events FROM records WHERE account_id = ? ORDER BY rowid",
      id,
    )) {
      (p[r.kind] as unknown[]).push(recordOf(r));
      records++;
    }
  }
  return { portfolio: p, records };
}

/**
 * Rows and newest record day per kind and vendor: how fresh each source's data is. Counted by
 * triggers as records come and go, the newest day read through an index: never a scan of records.
 */
export function dataAge(
  sql: SqlStorage,
): { kind: string; vendor: string; newest: string | null; rows: number }[] {
  return sql
    .exec<{ kind: string; vendor: string; newest: string | null; rows: number }>(
      `SELECT c.kind, c.vendor, c.rows,
         (SELECT MAX(r.at) FROM records r WHERE r.kind = c.kind AND r.vendor = c.vendor) AS newest
       FROM record_counts c WHERE c.rows > 0 ORDER BY c.kind, c.vendor`,
    )
    .toArray();
}

export function accountCount(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM accounts").one().n;
}

/** Ebb's account for a vendor's own id of it (a company, account or organization id), if any. */
export function accountIdByExternal(
  sql: SqlStorage,
  vendor: string,
  externalId: string,
): string | undefined {
  return sql
    .exec<{ account_id: string }>(
      "SELECT account_id FROM account_links WHERE vendor = ? AND external_id = ? LIMIT 1",
      vendor,
      externalId,
    )
    .toArray()[0]?.account_id;
}

export interface IdentityQuestion {
  vendor: string;
  sourceId: string;
  domain: string;
  /** The account as it stands alone now. */
  account: { id: string; name: string };
  /** Other vendors' accounts with the same domain, any of which it may be. */
  candidates: { id: string; name: string; vendors: string[] }[];
}

/** Accounts waiting for an admin to say which customer they are. */
export function identityQuestions(sql: SqlStorage, limit = 50): IdentityQuestion[] {
  const rows = sql
    .exec<{ vendor: string; source_id: string; domain: string; candidates: string }>(
      "SELECT vendor, source_id, domain, candidates FROM identity_review ORDER BY at, vendor, source_id LIMIT ?",
      limit,
    )
    .toArray();
  const named = (id: string) => {
    const row = sql
      .exec<{ name: string }>("SELECT name FROM accounts WHERE id = ?", id)
      .toArray()[0];
    const vendors = sql
      .exec<{ vendor: string }>(
        "SELECT DISTINCT vendor FROM account_links WHERE account_id = ? ORDER BY vendor",
        id,
      )
      .toArray()
      .map((v) => v.vendor);
    return row ? { id, name: row.name, vendors } : undefined;
  };
  return rows.flatMap((r) => {
    const own = accountIdFor(sql, r.vendor, r.source_id, new Map());
    const account = named(own);
    if (!account) return [];
    const candidates = (JSON.parse(r.candidates) as string[])
      .filter((id) => id !== own)
      .flatMap((id) => named(id) ?? []);
    return [
      {
        vendor: r.vendor,
        sourceId: r.source_id,
        domain: r.domain,
        account: { id: account.id, name: account.name },
        candidates,
      },
    ];
  });
}

/**
 * An admin's answer: the vendor's account is the same customer as `into` (its records of this
 * vendor move there, and the account it stood in goes once no vendor links to it), or, with no
 * `into`, a customer of its own. Either way it leaves the review list. Returns the accounts touched.
 */
export function resolveIdentity(
  sql: SqlStorage,
  vendor: string,
  sourceId: string,
  into: string | null,
): { ok: true; touched: string[] } | { ok: false; reason: string } {
  const question = sql
    .exec<{ candidates: string }>(
      "SELECT candidates FROM identity_review WHERE vendor = ? AND source_id = ?",
      vendor,
      sourceId,
    )
    .toArray()[0];
  if (!question)
    return { ok: false, reason: `no question waits about ${vendor} account ${sourceId}` };
  if (into !== null && !(JSON.parse(question.candidates) as string[]).includes(into))
    return {
      ok: false,
      reason: `${into} is not one of the accounts ${vendor} account ${sourceId} may be`,
    };
  const from = accountIdFor(sql, vendor, sourceId, new Map());
  const rows = sql
    .exec<{ id: string; data: string }>(
      "SELECT id, data FROM accounts WHERE id IN (?, ?)",
      from,
      into,
    )
    .toArray();
  const own = rows.find((r) => r.id === from);
  const target = rows.find((r) => r.id === into);
  if (into !== null && (!own || !target))
    return { ok: false, reason: `account ${own ? into : from} is gone` };
  sql.exec("DELETE FROM identity_review WHERE vendor = ? AND source_id = ?", vendor, sourceId);
  if (into === null || from === into || !own || !target) return { ok: true, touched: [] };
  const a = JSON.parse(own.data) as Account;
  const b = JSON.parse(target.data) as Account;
  sql.exec(
    "UPDATE accounts SET data = ? WHERE id = ?",
    JSON.stringify({ ...a, ...b, id: into, externalIds: { ...a.externalIds, ...b.externalIds } }),
    into,
  );
  moveRecords(sql, vendor, from, into);
  sql.exec(
    "UPDATE account_links SET account_id = ? WHERE vendor = ? AND source_id = ?",
    into,
    vendor,
    sourceId,
  );
  const touched = dropIfUnlinked(sql, from) ? [into] : [into, from];
  for (const id of touched)
    sql.exec("INSERT OR IGNORE INTO dirty_accounts (account_id) VALUES (?)", id);
  return { ok: true, touched };
}
