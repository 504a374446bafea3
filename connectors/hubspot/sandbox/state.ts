// The sandbox portal's state: objects by type, associations, owners, properties, and every call
// made, so tests and the bench can count and inspect.

export type ObjectType =
  | "companies"
  | "contacts"
  | "tickets"
  | "calls"
  | "emails"
  | "meetings"
  | "notes"
  | "tasks";
export const OBJECT_TYPES: readonly ObjectType[] = [
  "companies",
  "contacts",
  "tickets",
  "calls",
  "emails",
  "meetings",
  "notes",
  "tasks",
];

export interface StoredObject {
  id: string;
  properties: Record<string, string | null>;
  /** Value history per property, oldest first (HubSpot returns it with `propertiesWithHistory`). */
  history: Record<string, { value: string; timestamp: string }[]>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  /** When search first finds it (ms): objects created through the API wait for the index. */
  searchableAt?: number;
}

export interface CallRecord {
  method: string;
  path: string;
  /** The query string, without the leading "?" ("" when none). */
  query?: string;
  status: number;
  at: number;
}

export class PortalState {
  readonly objects: Record<ObjectType, Map<string, StoredObject>> = {
    companies: new Map(),
    contacts: new Map(),
    tickets: new Map(),
    calls: new Map(),
    emails: new Map(),
    meetings: new Map(),
    notes: new Map(),
    tasks: new Map(),
  };
  /** `${fromType}:${fromId}:${toType}` → associated ids (both directions are stored). */
  readonly associations = new Map<string, Set<string>>();
  readonly owners = new Map<string, { id: string; email: string }>();
  readonly propertyGroups = new Map<string, Set<string>>();
  readonly properties = new Map<string, Map<string, Record<string, unknown>>>();
  readonly calls: CallRecord[] = [];
  /** Scopes the install's tokens lack: calls that need one get HubSpot's 403 MISSING_SCOPES. */
  readonly withheldScopes = new Set<string>();
  private nextId = 1000;

  newId(): string {
    return String(this.nextId++);
  }

  put(type: ObjectType, o: StoredObject): void {
    this.objects[type].set(o.id, o);
  }

  associate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): void {
    const add = (k: string, v: string) => {
      let set = this.associations.get(k);
      if (!set) {
        set = new Set();
        this.associations.set(k, set);
      }
      set.add(v);
    };
    add(`${fromType}:${fromId}:${toType}`, toId);
    add(`${toType}:${toId}:${fromType}`, fromId);
  }

  /** `${fromType}:${fromId}` → the company labelled Primary (contacts and tickets have one). */
  readonly primaryCompany = new Map<string, string>();

  /** Associate and label the company Primary, as HubSpot does for a contact's or ticket's company. */
  associatePrimary(fromType: "contacts" | "tickets", fromId: string, companyId: string): void {
    this.associate(fromType, fromId, "companies", companyId);
    this.primaryCompany.set(`${fromType}:${fromId}`, companyId);
  }

  associated(fromType: string, fromId: string, toType: string): string[] {
    return [...(this.associations.get(`${fromType}:${fromId}:${toType}`) ?? [])];
  }

  /** Change properties as HubSpot would: values, history and `hs_lastmodifieddate` move together. */
  update(
    type: ObjectType,
    id: string,
    changes: Record<string, string | null>,
    at: Date,
  ): StoredObject | undefined {
    const o = this.objects[type].get(id);
    if (!o) return undefined;
    const stamp = at.toISOString();
    for (const [k, v] of Object.entries(changes)) {
      o.properties[k] = v;
      if (v !== null) appendHistory(o, k, v, stamp);
    }
    o.updatedAt = stamp;
    o.properties.hs_lastmodifieddate = stamp;
    if (type === "contacts") o.properties.lastmodifieddate = stamp;
    return o;
  }
}

/** Record a property value in an object's history (oldest first). */
export function appendHistory(
  o: StoredObject,
  property: string,
  value: string,
  timestamp: string,
): void {
  const h = o.history[property];
  if (h) h.push({ value, timestamp });
  else o.history[property] = [{ value, timestamp }];
}
