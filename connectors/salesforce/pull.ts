// Pull from Salesforce: for each object in turn (accounts first: what refers to an account comes
// after it), `queryAll` from the object's (SystemModstamp, Id) watermark up to the pass's bound,
// ordered by both, so rows sharing a second across a page edge are neither skipped nor repeated;
// 2,000-row pages followed by nextRecordsUrl; deleted rows (IsDeleted) removed; every page stored
// with the cursor after its last row, so a pull killed anywhere resumes behind what it stored.
// A pass reads changes up to a minute before it began (a row's SystemModstamp can be earlier than
// its commit); the next pass starts there. A custom field the org lacks (INVALID_FIELD) is left out
// of the query and looked for again a day later. Contact.Account's field history (when the org
// tracks it) gives the contacts who moved to another account: departures from the one they left.
import type { ConnectorContext, PullPage, RecordBatch } from "../connector.ts";
import { ConnectorError } from "../errors.ts";
import { emptyBatch } from "../records.ts";
import { createSalesforceApi, type QueryPage, type SalesforceApi } from "./client.ts";
import {
  accountId,
  caseId,
  contactId,
  eventId,
  eventToEngagement,
  type SfRecord,
  TASK_KEY_FIELD,
  taskId,
  taskToEngagement,
  toAccount,
  toDeparture,
  toOutcome,
  toStakeholder,
  toTicket,
} from "./map.ts";
import type { SalesforceSettings } from "./settings.ts";

export const OBJECTS = [
  "Account",
  "Contact",
  "ContactHistory",
  "Case",
  "Task",
  "Event",
  "Opportunity",
] as const;
type SfObject = (typeof OBJECTS)[number];

/** The field each object's watermark follows: field history rows are never changed, only made. */
const STAMP: Record<SfObject, string> = {
  Account: "SystemModstamp",
  Contact: "SystemModstamp",
  ContactHistory: "CreatedDate",
  Case: "SystemModstamp",
  Task: "SystemModstamp",
  Event: "SystemModstamp",
  Opportunity: "SystemModstamp",
};

export interface SalesforceCursor {
  /** The object being read (an index into OBJECTS); OBJECTS.length when the pass is over. */
  stage: number;
  /** Per object: the last row stored (its SystemModstamp as ISO-8601, and its Id). */
  marks: Partial<Record<SfObject, { t: string; id: string }>>;
  /** The pass reads rows changed before this (ms). */
  until: number;
  /** Whether this pass started with nothing read (renewals then come with their accounts). */
  first: boolean;
  /** Custom fields the org lacks (`Object.Field`), and when that was found. */
  missing?: { fields: string[]; at: number };
}

/** A row changed within this long of a pass's start waits for the next pass. */
export const SETTLE_MS = 60_000;
const RECHECK_MISSING_MS = 86_400_000;
/** Account ids a re-read of renewals asks for at once (SOQL's IN list, kept well under URL limits). */
const REREAD_IDS = 200;

const iso = (t: unknown) => {
  const s = String(t).replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  return new Date(Date.parse(s)).toISOString();
};
const quote = (v: string) => `'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

function fieldsFor(
  object: SfObject,
  s: SalesforceSettings,
): { fields: string[]; optional: string[] } {
  const sys = ["Id", "IsDeleted", "SystemModstamp"];
  switch (object) {
    case "Account":
      return {
        fields: [
          ...sys,
          "Name",
          "Website",
          "OwnerId",
          "Owner.Email",
          s.account.customerSince,
          s.account.arr,
        ],
        optional: [s.account.customerSince, s.account.arr],
      };
    case "Contact":
      return {
        fields: [
          ...sys,
          "AccountId",
          "Name",
          "Email",
          "Title",
          s.contact.persona,
          s.contact.active,
          s.contact.leftAt,
        ],
        optional: [s.contact.persona, s.contact.active, s.contact.leftAt],
      };
    case "Case":
      return {
        fields: [
          ...sys,
          "AccountId",
          "ContactId",
          "CreatedDate",
          "ClosedDate",
          "IsClosed",
          "Status",
          "Priority",
          "IsEscalated",
          "Subject",
          "Description",
          s.case.csat,
          s.case.tags,
          s.case.reopens,
          s.case.firstReplyMinutes,
        ],
        optional: [s.case.csat, s.case.tags, s.case.reopens, s.case.firstReplyMinutes],
      };
    case "Task":
      return {
        fields: [
          ...sys,
          "AccountId",
          "WhoId",
          "CreatedDate",
          "CompletedDateTime",
          "TaskSubtype",
          "Type",
          "CallType",
          "CallDisposition",
          TASK_KEY_FIELD,
        ],
        optional: [TASK_KEY_FIELD],
      };
    case "ContactHistory":
      return {
        fields: [
          "Id",
          "ContactId",
          "OldValue",
          "CreatedDate",
          "Contact.Name",
          "Contact.Email",
          "Contact.Title",
          `Contact.${s.contact.persona}`,
        ],
        optional: [`Contact.${s.contact.persona}`],
      };
    case "Event":
      return {
        fields: [...sys, "AccountId", "WhoId", "StartDateTime", "ActivityDateTime", s.eventOutcome],
        optional: [s.eventOutcome],
      };
    case "Opportunity":
      return {
        fields: [
          ...sys,
          "AccountId",
          "Type",
          "IsClosed",
          "IsWon",
          "CloseDate",
          "Amount",
          `Account.${s.account.arr}`,
        ],
        optional: [`Account.${s.account.arr}`],
      };
  }
}

/** The account's next open renewal, as a child subquery of the Account query. */
const renewalSubquery = (s: SalesforceSettings) =>
  `(SELECT CloseDate FROM Opportunities WHERE IsClosed = false AND Type IN (${s.renewalTypes.map(quote).join(", ")}) ORDER BY CloseDate ASC LIMIT 1)`;

function selectList(object: SfObject, s: SalesforceSettings, missing: Set<string>): string {
  const { fields } = fieldsFor(object, s);
  const kept = fields.filter((f) => !missing.has(`${object}.${f}`));
  if (object === "Account") kept.push(renewalSubquery(s));
  return kept.join(", ");
}

export function soqlFor(
  object: SfObject,
  s: SalesforceSettings,
  mark: { t: string; id: string } | undefined,
  until: number,
  missing: Set<string>,
): string {
  const t = STAMP[object];
  const bound = `${t} < ${new Date(until).toISOString()}`;
  const after = mark
    ? `(${t} > ${mark.t} OR (${t} = ${mark.t} AND Id > ${quote(mark.id)})) AND ${bound}`
    : bound;
  // Moves between accounts: the ids' history row (a lookup also has one with the names).
  const only =
    object === "ContactHistory" ? "Field = 'Account' AND DataType = 'EntityId' AND " : "";
  return `SELECT ${selectList(object, s, missing)} FROM ${object} WHERE ${only}${after} ORDER BY ${t} ASC, Id ASC`;
}

/** The column an INVALID_FIELD answer names: `No such column 'X' on entity 'Y'`. */
function missingColumn(e: unknown): string | undefined {
  if (!(e instanceof ConnectorError) || !/INVALID_FIELD/.test(e.message)) return undefined;
  return (
    /No such column '([\w.]+)'/.exec(e.message)?.[1] ?? /relationship '(\w+)'/.exec(e.message)?.[1]
  );
}

function addRow(batch: RecordBatch, object: SfObject, r: SfRecord, s: SalesforceSettings) {
  const kind = {
    Account: "accounts",
    Contact: "stakeholders",
    ContactHistory: "stakeholders",
    Case: "tickets",
    Task: "engagements",
    Event: "engagements",
  } as const;
  if (r.IsDeleted === true) {
    if (object === "Opportunity" || object === "ContactHistory") return;
    const id =
      object === "Account"
        ? accountId(r.Id)
        : object === "Contact"
          ? contactId(r.Id)
          : object === "Case"
            ? caseId(r.Id)
            : object === "Task"
              ? taskId(r.Id)
              : eventId(r.Id);
    batch.deleted.push({ kind: kind[object], id });
    return;
  }
  switch (object) {
    case "Account":
      batch.accounts.push(toAccount(r, s));
      return;
    case "Contact": {
      const st = toStakeholder(r, s);
      if (st) batch.stakeholders.push(st);
      else batch.deleted.push({ kind: "stakeholders", id: contactId(r.Id) });
      return;
    }
    case "Case": {
      const t = toTicket(r, s);
      if (t) batch.tickets.push(t);
      else batch.deleted.push({ kind: "tickets", id: caseId(r.Id) });
      return;
    }
    case "Task": {
      // Ebb's own follow-ups are not the customer's engagement.
      if (r[TASK_KEY_FIELD]) return;
      const e = taskToEngagement(r);
      if (e) batch.engagements.push(e);
      else batch.deleted.push({ kind: "engagements", id: taskId(r.Id) });
      return;
    }
    case "ContactHistory": {
      const d = toDeparture(r, s);
      if (d) batch.stakeholders.push(d);
      return;
    }
    case "Event": {
      const e = eventToEngagement(r, s);
      if (e) batch.engagements.push(e);
      else batch.deleted.push({ kind: "engagements", id: eventId(r.Id) });
      return;
    }
    case "Opportunity": {
      const o = toOutcome(r, s);
      if (o) batch.outcomes.push(o);
      return;
    }
  }
}

export async function* pullSalesforce(
  ctx: ConnectorContext,
  settings: SalesforceSettings,
  from: SalesforceCursor | undefined,
  api: SalesforceApi = createSalesforceApi(ctx),
): AsyncGenerator<PullPage<SalesforceCursor>> {
  const now = ctx.now();
  let cursor: SalesforceCursor =
    from && from.stage < OBJECTS.length
      ? structuredClone(from)
      : {
          stage: 0,
          marks: from?.marks ? structuredClone(from.marks) : {},
          until: now - SETTLE_MS,
          first: !from,
          ...(from?.missing ? { missing: from.missing } : {}),
        };
  if (cursor.missing && now - cursor.missing.at > RECHECK_MISSING_MS) delete cursor.missing;
  const missing = new Set(cursor.missing?.fields ?? []);

  async function firstPage(object: SfObject): Promise<QueryPage> {
    for (;;) {
      if (missing.has(object)) return { totalSize: 0, done: true, records: [] };
      try {
        return await api.query(
          soqlFor(object, settings, cursor.marks[object], cursor.until, missing),
          // Field history never goes to the recycle bin: `query` reads all of it.
          { all: object !== "ContactHistory", batchSize: settings.pageSize },
        );
      } catch (e) {
        // An org (or a user) without field history for contacts: no moves to read, for a day.
        if (
          object === "ContactHistory" &&
          e instanceof ConnectorError &&
          /INVALID_TYPE|INSUFFICIENT_ACCESS/.test(e.message)
        ) {
          missing.add(object);
          cursor.missing = { fields: [...missing], at: now };
          ctx.log("salesforce.object_missing", { object });
          continue;
        }
        const col = missingColumn(e);
        const { optional } = fieldsFor(object, settings);
        const hit =
          col &&
          optional.find((f) => f === col || f.startsWith(`${col}.`) || f.endsWith(`.${col}`));
        if (!hit || missing.has(`${object}.${hit}`)) throw e;
        // A field this org does not have: read without it, and remember for a day.
        missing.add(`${object}.${hit}`);
        cursor.missing = { fields: [...missing], at: now };
        ctx.log("salesforce.field_missing", { object, field: hit });
      }
    }
  }

  while (cursor.stage < OBJECTS.length) {
    const object = OBJECTS[cursor.stage] as SfObject;
    let page: QueryPage | undefined = await firstPage(object);
    while (page) {
      const batch = emptyBatch();
      const renewalsOf = new Set<string>();
      for (const raw of page.records) {
        const r = raw as SfRecord;
        addRow(batch, object, r, settings);
        if (
          object === "Opportunity" &&
          !cursor.first &&
          settings.renewalTypes.includes(String(r.Type ?? ""))
        )
          if (typeof r.AccountId === "string") renewalsOf.add(r.AccountId);
      }
      // A renewal that changed after its account was read moves the account's renewal date.
      for (let k = 0; k < renewalsOf.size; k += REREAD_IDS) {
        const ids = [...renewalsOf].slice(k, k + REREAD_IDS);
        const soql = `SELECT ${selectList("Account", settings, missing)} FROM Account WHERE Id IN (${ids.map(quote).join(", ")})`;
        let got: QueryPage | undefined = await api.query(soql, { all: false, batchSize: 2000 });
        while (got) {
          for (const a of got.records) batch.accounts.push(toAccount(a as SfRecord, settings));
          got = got.nextRecordsUrl ? await api.queryMore(got.nextRecordsUrl, 2000) : undefined;
        }
      }
      const last = page.records.at(-1);
      const next: SalesforceCursor = structuredClone(cursor);
      if (last) next.marks[object] = { t: iso(last[STAMP[object]]), id: last.Id };
      const more: string | undefined = page.nextRecordsUrl;
      if (!more) next.stage++;
      cursor = next;
      const done = cursor.stage >= OBJECTS.length;
      yield { records: batch, cursor, done };
      if (done) return;
      page = more ? await api.queryMore(more, settings.pageSize) : undefined;
    }
  }
  yield { records: emptyBatch(), cursor, done: true };
}
