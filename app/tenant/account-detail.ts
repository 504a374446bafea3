// One account's page beyond its score: the contacts, the vendors' records it is made of, and a
// timeline of what happened — tickets, engagements, weekly usage, band changes and tasks.
import { addDays } from "../../core/day.ts";
import type { Engagement, Stakeholder, Task, Ticket } from "../../core/model.ts";

export interface TimelineEntry {
  day: string;
  kind: "ticket" | "engagement" | "usage" | "band" | "task";
  text: string;
  /** The vendor the entry came from, where one did. */
  vendor?: string;
}

export interface AccountDetail {
  contacts: Stakeholder[];
  /** The vendors' records this account is (vendor, and the id there). */
  links: { vendor: string; externalId: string }[];
  timeline: TimelineEntry[];
  /** The timeline's first and last day. */
  from: string;
  through: string;
}

/** The contacts, links and the `days` days of timeline through `through`, newest first. */
export function accountDetail(
  sql: SqlStorage,
  accountId: string,
  through: string,
  days = 180,
): AccountDetail {
  const from = addDays(through, -days);
  const rows = (kind: string) =>
    sql
      .exec<{ vendor: string; data: string }>(
        `SELECT vendor, data FROM records WHERE account_id = ? AND kind = ?
           AND at >= ? AND at <= ? ORDER BY at DESC LIMIT 200`,
        accountId,
        kind,
        from,
        `${through}T23:59:59.999Z`,
      )
      .toArray();
  // One person, however many vendors know them (by email, else by name): departed if any says so.
  const people = new Map<string, Stakeholder>();
  for (const r of sql
    .exec<{ data: string }>(
      "SELECT data FROM records WHERE account_id = ? AND kind = 'stakeholders' ORDER BY id",
      accountId,
    )
    .toArray()) {
    const s = JSON.parse(r.data) as Stakeholder;
    const key = (s.email ?? s.name ?? s.id).trim().toLowerCase();
    const seen = people.get(key);
    if (!seen) people.set(key, s);
    else if (!s.active && seen.active) people.set(key, { ...seen, ...s, active: false });
    else if (!seen.persona && s.persona) seen.persona = s.persona;
  }
  const contacts = [...people.values()];
  const links = sql
    .exec<{ vendor: string; external_id: string }>(
      "SELECT DISTINCT vendor, external_id FROM account_links WHERE account_id = ? AND external_id IS NOT NULL ORDER BY vendor",
      accountId,
    )
    .toArray()
    .map((r) => ({ vendor: r.vendor, externalId: r.external_id }));
  const timeline: TimelineEntry[] = [];
  for (const r of rows("tickets")) {
    const t = JSON.parse(r.data) as Ticket;
    const bits = [
      t.subject ?? "(no subject)",
      t.priority ? `${t.priority} priority` : "",
      t.status,
      t.satisfaction === "bad" ? "rated bad" : t.satisfaction === "good" ? "rated good" : "",
      t.escalated ? "escalated" : "",
      t.tags.length ? `tags ${t.tags.join(", ")}` : "",
    ].filter(Boolean);
    timeline.push({
      day: t.createdAt.slice(0, 10),
      kind: "ticket",
      text: `Ticket: ${bits.join(" · ")}`,
      vendor: r.vendor,
    });
  }
  for (const r of rows("engagements")) {
    const e = JSON.parse(r.data) as Engagement;
    timeline.push({
      day: e.at.slice(0, 10),
      kind: "engagement",
      text: `${e.direction === "inbound" ? "From the customer" : "To the customer"}: ${e.kind}${e.outcome ? ` (${e.outcome})` : ""}`,
      vendor: r.vendor,
    });
  }
  // Usage, a line a week: people active at most on a day, and events.
  const weeks = sql
    .exec<{ week: number; users: number | null; events: number | null; first: string }>(
      `SELECT (day / 7) AS week, MAX(users) AS users, SUM(events) AS events, MIN(at) AS first
       FROM records WHERE account_id = ? AND kind = 'usage' AND at >= ?
         AND json_extract(data, '$.feature') IS NULL
       GROUP BY week ORDER BY week DESC`,
      accountId,
      from,
    )
    .toArray();
  for (const w of weeks)
    timeline.push({
      day: w.first.slice(0, 10),
      kind: "usage",
      text: `Usage that week: ${w.users ?? "?"} people active at most, ${w.events ?? 0} events`,
    });
  // Band changes, with the score either side and the task raised with it, if any.
  const scores = sql
    .exec<{ day: string; score: number; band: string; trend: string }>(
      "SELECT day, score, band, trend FROM snapshots WHERE account_id = ? AND day >= ? ORDER BY day",
      accountId,
      addDays(from, -1),
    )
    .toArray();
  const tasks = sql
    .exec<{ day: string; action: string; data: string; pushed_at: number | null }>(
      "SELECT day, action, data, pushed_at FROM tasks WHERE account_id = ? AND day >= ? ORDER BY day",
      accountId,
      from,
    )
    .toArray();
  for (let i = 1; i < scores.length; i++) {
    const a = scores[i - 1];
    const b = scores[i];
    if (!a || !b || a.band === b.band) continue;
    const near = tasks.find(
      (t) => t.action === "open" && t.day >= addDays(b.day, -3) && t.day <= addDays(b.day, 3),
    );
    const why = near ? `; ${(JSON.parse(near.data) as Task).title.replace(/^Ebb: /, "")}` : "";
    timeline.push({
      day: b.day,
      kind: "band",
      text: `Band ${a.band.replace("_", " ")} → ${b.band.replace("_", " ")}: score ${a.score} → ${b.score} (${b.trend})${why}`,
    });
  }
  for (const t of tasks) {
    const task = JSON.parse(t.data) as Task;
    timeline.push({
      day: t.day,
      kind: "task",
      text: `Task ${t.action === "open" ? "opened" : "completed"}: ${task.title}${t.pushed_at === null ? " (waiting for writeback)" : t.pushed_at === 0 ? " (not written: no longer called for)" : ""}`,
    });
  }
  timeline.sort((x, y) => (x.day < y.day ? 1 : x.day > y.day ? -1 : 0));
  return { contacts, links, timeline, from, through };
}
