// The sandbox account's data as Zendesk holds it: organizations, users and tickets with their metric
// sets, each with its updated_at (whole seconds, as Zendesk stamps them) and a change sequence (the
// order the cursor-based exports follow); organization fields, background jobs and OAuth tokens.
export interface Stamped<T> {
  data: T;
  /** Unix seconds. */
  updatedAt: number;
  /** Change order across the account: every write takes the next number. */
  seq: number;
}

export interface SandboxTicket {
  id: number;
  created_at: string;
  updated_at: string;
  status: string;
  priority: string | null;
  tags: string[];
  subject: string | null;
  description: string | null;
  requester_id: number | null;
  organization_id: number | null;
  satisfaction_rating: { score: string } | null;
  type: string | null;
  via: { channel: string };
}

export interface SandboxMetricSet {
  id: number;
  ticket_id: number;
  reopens: number;
  replies: number;
  solved_at: string | null;
  reply_time_in_minutes: { calendar: number | null; business: number | null };
  full_resolution_time_in_minutes: { calendar: number | null; business: number | null };
  created_at: string;
  updated_at: string;
}

export interface SandboxUser {
  id: number;
  name: string;
  email: string | null;
  role: "end-user" | "agent" | "admin";
  active: boolean;
  organization_id: number | null;
  user_fields: Record<string, string | null>;
  created_at: string;
  updated_at: string;
}

export interface SandboxOrganization {
  id: number;
  name: string;
  domain_names: string[];
  external_id: string | null;
  tags: string[];
  organization_fields: Record<string, string | number | null>;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface OrganizationField {
  id: number;
  key: string;
  title: string;
  type: string;
  description: string;
  active: boolean;
}

export interface SandboxJob {
  id: string;
  total: number;
  /** When the job finishes (ms): polls before then see it queued or working. */
  doneAt: number;
  results: {
    id: number;
    action: string;
    success?: boolean;
    status?: string;
    error?: string;
    details?: string;
  }[];
}

export interface SandboxWebhook {
  id: string;
  name: string;
  endpoint: string;
  subscriptions: string[];
  http_method: string;
  request_format: string;
  status: string;
  secret: string;
  created_at: string;
}

export interface SandboxTrigger {
  id: number;
  title: string;
  active: boolean;
  conditions: unknown;
  actions: { field: string; value: unknown }[];
}

export interface CallRecord {
  method: string;
  path: string;
  query?: string;
  status: number;
  at: number;
  /** The X-Zendesk-Marketplace-* headers the call carried (a marketplace app's backend sends them). */
  marketplace?: Record<string, string>;
}

export const iso = (seconds: number) =>
  new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

export class AccountState {
  organizations = new Map<number, Stamped<SandboxOrganization>>();
  users = new Map<number, Stamped<SandboxUser>>();
  tickets = new Map<number, Stamped<SandboxTicket>>();
  metrics = new Map<number, SandboxMetricSet>();
  organizationFields: OrganizationField[] = [];
  jobs = new Map<string, SandboxJob>();
  webhooks: SandboxWebhook[] = [];
  triggers: SandboxTrigger[] = [];
  calls: CallRecord[] = [];
  private nextId = 1000;
  private nextSeq = 0;

  newId(): number {
    return ++this.nextId;
  }

  /** Store a record as written at `seconds` (its updated_at), taking the next change number. */
  put<T extends { updated_at: string }>(
    into: Map<number, Stamped<T>>,
    id: number,
    data: T,
    seconds: number,
  ): void {
    data.updated_at = iso(seconds);
    into.set(id, { data, updatedAt: seconds, seq: ++this.nextSeq });
  }

  /** Change a ticket (the way an agent's edit does): a new updated_at and change number. */
  touchTicket(id: number, seconds: number, change: (t: SandboxTicket) => void): void {
    const t = this.tickets.get(id);
    if (!t) throw new Error(`no ticket ${id}`);
    change(t.data);
    this.put(this.tickets, id, t.data, seconds);
    const m = this.metrics.get(id);
    if (m) m.updated_at = iso(seconds);
  }

  /** Organization fields' values as Zendesk stores them for a field's type. */
  fieldType(key: string): string | undefined {
    return this.organizationFields.find((f) => f.key === key)?.type;
  }
}
