// The sandbox org's data: records by object (with Salesforce's system fields: 18-character ids,
// SystemModstamp, IsDeleted), each object's fields as describe reports them, the org's users, and
// every call made, for tests and the bench to read.
import { HEALTH_FIELDS, TASK_KEY_FIELD } from "../map.ts";
import { DEFAULT_SETTINGS, type SalesforceSettings } from "../settings.ts";

export type Row = Record<string, unknown> & {
  Id: string;
  IsDeleted: boolean;
  SystemModstamp: string;
  CreatedDate: string;
  LastModifiedDate: string;
};

export interface FieldInfo {
  name: string;
  type: string;
  label: string;
  externalId?: boolean;
  unique?: boolean;
  /** Whether an API client may set it (system and formula fields may not). */
  updateable: boolean;
}

/** Object key prefixes: the first three characters of every id of that object. */
export const PREFIX: Record<string, string> = {
  Account: "001",
  Contact: "003",
  User: "005",
  Opportunity: "006",
  Task: "00T",
  Event: "00U",
  Case: "500",
  ContactHistory: "017",
};

/** Parent relationships (`Owner.Email`): relationship name → (id field, object). */
export const PARENTS: Record<string, Record<string, { field: string; object: string }>> = {
  Account: { Owner: { field: "OwnerId", object: "User" } },
  Contact: { Account: { field: "AccountId", object: "Account" } },
  ContactHistory: { Contact: { field: "ContactId", object: "Contact" } },
  Case: { Account: { field: "AccountId", object: "Account" } },
  Opportunity: { Account: { field: "AccountId", object: "Account" } },
  Task: { Account: { field: "AccountId", object: "Account" } },
  Event: { Account: { field: "AccountId", object: "Account" } },
};

/** Child relationships usable in a subquery: name → (object, field pointing back). */
export const CHILDREN: Record<string, Record<string, { object: string; field: string }>> = {
  Account: {
    Opportunities: { object: "Opportunity", field: "AccountId" },
    Contacts: { object: "Contact", field: "AccountId" },
    Cases: { object: "Case", field: "AccountId" },
  },
};

const SYSTEM = ["Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp"];
const STANDARD: Record<string, [string, string, boolean?][]> = {
  Account: [
    ["Name", "string"],
    ["Website", "url"],
    ["OwnerId", "reference"],
    ["Type", "picklist"],
  ],
  Contact: [
    ["AccountId", "reference"],
    ["FirstName", "string"],
    ["LastName", "string"],
    ["Name", "string", false],
    ["Email", "email"],
    ["Title", "string"],
  ],
  User: [
    ["Name", "string"],
    ["Email", "email"],
    ["IsActive", "boolean"],
  ],
  Opportunity: [
    ["AccountId", "reference"],
    ["Name", "string"],
    ["Type", "picklist"],
    ["StageName", "picklist"],
    ["IsClosed", "boolean", false],
    ["IsWon", "boolean", false],
    ["CloseDate", "date"],
    ["Amount", "currency"],
  ],
  Task: [
    ["WhatId", "reference"],
    ["WhoId", "reference"],
    ["AccountId", "reference", false],
    ["OwnerId", "reference"],
    ["Subject", "combobox"],
    ["Description", "textarea"],
    ["ActivityDate", "date"],
    ["Status", "picklist"],
    ["Priority", "picklist"],
    ["Type", "picklist"],
    ["TaskSubtype", "picklist"],
    ["CallType", "picklist"],
    ["CallDisposition", "string"],
    ["CompletedDateTime", "datetime", false],
    ["IsClosed", "boolean", false],
  ],
  Event: [
    ["WhatId", "reference"],
    ["WhoId", "reference"],
    ["AccountId", "reference", false],
    ["OwnerId", "reference"],
    ["Subject", "combobox"],
    ["StartDateTime", "datetime"],
    ["EndDateTime", "datetime"],
    ["ActivityDateTime", "datetime"],
  ],
  Case: [
    ["AccountId", "reference"],
    ["ContactId", "reference"],
    ["Subject", "string"],
    ["Description", "textarea"],
    ["Status", "picklist"],
    ["Priority", "picklist"],
    ["IsClosed", "boolean", false],
    ["IsEscalated", "boolean"],
    ["ClosedDate", "datetime", false],
    ["Origin", "picklist"],
  ],
  // Field history (Contact.Account tracked): one row per change, never updated.
  ContactHistory: [
    ["ContactId", "reference", false],
    ["Field", "picklist", false],
    ["DataType", "picklist", false],
    ["OldValue", "anyType", false],
    ["NewValue", "anyType", false],
  ],
};

/** The org's own custom fields for what Ebb reads (the settings' defaults), and Ebb's package. */
export function customFields(
  s: SalesforceSettings = DEFAULT_SETTINGS,
): Record<string, FieldInfo[]> {
  const f = (name: string, type: string, extra: Partial<FieldInfo> = {}): FieldInfo => ({
    name,
    type,
    label: name.replace(/__c$/, "").replaceAll("_", " "),
    updateable: true,
    ...extra,
  });
  return {
    Account: [
      f(s.account.customerSince, "date"),
      f(s.account.arr, "currency"),
      f(HEALTH_FIELDS.score, "double"),
      f(HEALTH_FIELDS.band, "picklist"),
      f(HEALTH_FIELDS.trend, "picklist"),
      f(HEALTH_FIELDS.coverage, "percent"),
      f(HEALTH_FIELDS.reasons, "textarea"),
      f(HEALTH_FIELDS.scoredAt, "date"),
      f(HEALTH_FIELDS.series, "textarea"),
    ],
    Contact: [
      f(s.contact.persona, "picklist"),
      f(s.contact.active, "boolean"),
      f(s.contact.leftAt, "date"),
    ],
    Case: [
      f(s.case.csat, "double"),
      f(s.case.tags, "multipicklist"),
      f(s.case.reopens, "double"),
      f(s.case.firstReplyMinutes, "double"),
    ],
    Event: [f(s.eventOutcome, "picklist")],
    Task: [f(TASK_KEY_FIELD, "string", { externalId: true, unique: true })],
    Opportunity: [],
    User: [],
    ContactHistory: [],
  };
}

export interface Call {
  method: string;
  path: string;
  query?: string;
  status: number;
  /** The SOQL of a query call. */
  soql?: string;
  at: number;
}

/** Salesforce's date-time format: `2024-01-08T14:18:00.000+0000`. */
export const sfStamp = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");

export class OrgState {
  /** The org's id (a test may rename it: the same data as another org, for a second install). */
  orgId = "00DEb0000000001EAA";
  readonly objects = new Map<string, Map<string, Row>>();
  readonly fields = new Map<string, Map<string, FieldInfo>>();
  readonly calls: Call[] = [];
  private counter = 0;

  constructor(custom: Record<string, FieldInfo[]> = customFields()) {
    for (const [object, standard] of Object.entries(STANDARD)) {
      this.objects.set(object, new Map());
      const m = new Map<string, FieldInfo>();
      for (const s of SYSTEM)
        m.set(s, {
          name: s,
          type: s === "Id" ? "id" : s === "IsDeleted" ? "boolean" : "datetime",
          label: s,
          updateable: false,
        });
      for (const [name, type, updateable] of standard)
        m.set(name, { name, type, label: name, updateable: updateable ?? true });
      for (const c of custom[object] ?? []) m.set(c.name, c);
      this.fields.set(object, m);
    }
  }

  /** A new 18-character id of the object (its key prefix, then a counter: ids sort as created). */
  newId(object: string): string {
    const prefix = PREFIX[object];
    if (!prefix) throw new Error(`no such object ${object}`);
    return `${prefix}Eb${String(++this.counter).padStart(10, "0")}AAA`;
  }

  table(object: string): Map<string, Row> {
    const t = this.objects.get(object);
    if (!t) throw new Error(`no such object ${object}`);
    return t;
  }

  /** Insert a record as of `atMs`; returns its id. */
  insert(object: string, fields: Record<string, unknown>, atMs: number, createdMs = atMs): string {
    const id = (fields.Id as string | undefined) ?? this.newId(object);
    const row: Row = {
      ...fields,
      Id: id,
      IsDeleted: false,
      CreatedDate: sfStamp(createdMs),
      LastModifiedDate: sfStamp(atMs),
      SystemModstamp: sfStamp(atMs),
    };
    this.derive(object, row);
    this.table(object).set(id, row);
    return id;
  }

  /** Whether Contact.Account's history is tracked (Setup → Contact → Set History Tracking). */
  trackContactAccount = true;

  /** Change a record as of `atMs` (SystemModstamp moves). */
  update(
    object: string,
    id: string,
    fields: Record<string, unknown>,
    atMs: number,
  ): Row | undefined {
    const row = this.table(object).get(id);
    if (!row || row.IsDeleted) return undefined;
    const before = row.AccountId;
    if (
      object === "Contact" &&
      this.trackContactAccount &&
      "AccountId" in fields &&
      fields.AccountId !== before
    )
      // A lookup's history is two rows, the ids (DataType EntityId) and the names (String):
      // Object Reference, "ContactHistory" / "History Objects".
      for (const [dataType, oldValue, newValue] of [
        ["EntityId", before ?? null, fields.AccountId ?? null],
        [
          "String",
          before ? (this.table("Account").get(String(before))?.Name ?? null) : null,
          fields.AccountId
            ? (this.table("Account").get(String(fields.AccountId))?.Name ?? null)
            : null,
        ],
      ] as const)
        this.insert(
          "ContactHistory",
          {
            ContactId: id,
            Field: "Account",
            DataType: dataType,
            OldValue: oldValue,
            NewValue: newValue,
          },
          atMs,
        );
    Object.assign(row, fields, { LastModifiedDate: sfStamp(atMs), SystemModstamp: sfStamp(atMs) });
    this.derive(object, row);
    return row;
  }

  /** Delete to the recycle bin: queryAll still returns it, with IsDeleted. */
  remove(object: string, id: string, atMs: number): void {
    const row = this.table(object).get(id);
    if (row) Object.assign(row, { IsDeleted: true, SystemModstamp: sfStamp(atMs) });
  }

  /**
   * Salesforce's derived fields (Object Reference: Task/Event `AccountId` — the WhatId's account,
   * else the WhoId contact's; `IsClosed`, `CompletedDateTime`; Case `ClosedDate`; Opportunity
   * `IsClosed`/`IsWon` from the stage's kind).
   */
  private derive(object: string, row: Row): void {
    if (object === "Task" || object === "Event") {
      const what = row.WhatId as string | undefined;
      const who = row.WhoId as string | undefined;
      row.AccountId = what?.startsWith("001")
        ? what
        : who?.startsWith("003")
          ? (this.table("Contact").get(who)?.AccountId ?? null)
          : null;
    }
    if (object === "Task") {
      const done = row.Status === "Completed";
      row.IsClosed = done;
      if (done && !row.CompletedDateTime) row.CompletedDateTime = row.LastModifiedDate;
    }
    if (object === "Case") {
      const closed = row.Status === "Closed";
      row.IsClosed = closed;
      if (!closed) row.ClosedDate = null;
      else if (!row.ClosedDate) row.ClosedDate = row.LastModifiedDate;
    }
    if (object === "Opportunity") {
      const stage = row.StageName as string | undefined;
      row.IsClosed = stage === "Closed Won" || stage === "Closed Lost";
      row.IsWon = stage === "Closed Won";
    }
    if (object === "Contact")
      row.Name = [row.FirstName, row.LastName].filter(Boolean).join(" ") || null;
  }
}
