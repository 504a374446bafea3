// The normalized model of DESIGN.md as zod schemas: what every connector produces, what core consumes,
// and, one object per line, Ebb's NDJSON interchange format.
import { z } from "zod";

/** Optional field: absent or `null` (warehouse exports write null) both mean "unknown" (undefined). */
const opt = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((v) => v ?? undefined)
    .optional();

const Day = z.iso.date({ message: "expected a day as YYYY-MM-DD" });
const Time = z.iso.datetime({ offset: true, message: "expected an ISO-8601 time" });
const Id = z.string().min(1, "must not be empty");
const Count = z.number().int().nonnegative();
const NonNegative = z.number().nonnegative().finite();

export const Stage = z.enum(["onboarding", "adoption", "mature", "renewal"]);
export const Persona = z.enum(["executive", "champion", "influencer", "end_user"]);
export const TicketStatus = z.enum(["new", "open", "pending", "solved", "closed"]);
export const Priority = z.enum(["low", "normal", "high", "urgent"]);
export const EngagementKind = z.enum(["email", "call", "meeting", "note", "task"]);
export const Direction = z.enum(["inbound", "outbound", "internal"]);
export const EngagementOutcome = z.enum(["completed", "no_show", "unanswered", "replied"]);
export const OutcomeKind = z.enum(["churned", "renewed", "expanded", "downgraded"]);
export const Band = z.enum(["healthy", "watch", "at_risk", "insufficient_data"]);
export const Trend = z.enum(["growing", "plateau", "decaying", "recovering"]);

export const Account = z.object({
  id: Id,
  name: z.string(),
  domain: opt(z.string()),
  /** More domains the customer uses (a Zendesk organization lists several): join keys too. */
  otherDomains: opt(z.array(z.string())),
  /**
   * Ids the account is known by in another system (a Zendesk organization's `external_id` holding
   * the CRM's id): an account of another vendor with one of these ids is the same customer.
   */
  linkedIds: opt(z.array(z.string())),
  ownerId: opt(z.string()),
  ownerEmail: opt(z.string()),
  stage: opt(Stage),
  customerSince: opt(Day),
  renewalAt: opt(Day),
  arr: opt(NonNegative),
  /** The account's id in each vendor that knows it, by connector id (`hubspot`, `salesforce`, …). */
  externalIds: opt(
    z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, "expected a connector id"), z.string()),
  ),
});

export const Stakeholder = z.object({
  id: Id,
  accountId: Id,
  name: opt(z.string()),
  email: opt(z.string()),
  title: opt(z.string()),
  persona: opt(Persona),
  active: z.boolean(),
  leftAt: opt(Time),
});

export const Ticket = z.object({
  id: Id,
  accountId: Id,
  requesterId: opt(z.string()),
  createdAt: Time,
  solvedAt: opt(Time),
  status: TicketStatus,
  priority: opt(Priority),
  tags: z.array(z.string()),
  subject: opt(z.string()),
  text: opt(z.string()),
  satisfaction: opt(z.enum(["good", "bad"])),
  reopens: opt(Count),
  escalated: opt(z.boolean()),
  firstReplyMinutes: opt(NonNegative),
  resolutionMinutes: opt(NonNegative),
});

export const Engagement = z.object({
  id: Id,
  accountId: Id,
  stakeholderId: opt(z.string()),
  kind: EngagementKind,
  direction: Direction,
  at: Time,
  outcome: opt(EngagementOutcome),
});

export const UsageSample = z.object({
  accountId: Id,
  day: Day,
  activeUsers: opt(Count),
  events: opt(Count),
  feature: opt(z.string()),
});

export const Milestone = z.object({
  id: Id,
  accountId: Id,
  name: z.string(),
  dueAt: Day,
  doneAt: opt(Day),
});

export const Outcome = z.object({
  accountId: Id,
  kind: OutcomeKind,
  at: Day,
});

export const SignalKey = z.enum([
  "onboarding_friction",
  "implementation_stall",
  "support_experience",
  "ticket_flood",
  "going_dark",
  "usage_drop",
  "stakeholder_coverage",
]);

export const SignalResult = z.object({
  key: SignalKey,
  risk: z.number().min(0).max(1),
  weight: z.number().nonnegative(),
  evidence: z.string(),
  evidenceIds: z.array(z.string()).optional(),
});

export const HealthSnapshot = z.object({
  accountId: Id,
  day: Day,
  score: z.number().min(0).max(100),
  band: Band,
  trend: Trend,
  coverage: z.number().min(0).max(1),
  signals: z.array(SignalResult),
});

export const Task = z.object({
  accountId: Id,
  playbook: z.string(),
  title: z.string(),
  body: z.string(),
  dueAt: Day,
  priority: Priority,
  dedupeKey: z.string(),
  action: z.enum(["open", "close"]),
});

export type Stage = z.infer<typeof Stage>;
export type Persona = z.infer<typeof Persona>;
export type Band = z.infer<typeof Band>;
export type Trend = z.infer<typeof Trend>;
export type Priority = z.infer<typeof Priority>;
export type Account = z.infer<typeof Account>;
export type Stakeholder = z.infer<typeof Stakeholder>;
export type Ticket = z.infer<typeof Ticket>;
export type Engagement = z.infer<typeof Engagement>;
export type UsageSample = z.infer<typeof UsageSample>;
export type Milestone = z.infer<typeof Milestone>;
export type Outcome = z.infer<typeof Outcome>;
export type SignalKey = z.infer<typeof SignalKey>;
export type SignalResult = z.infer<typeof SignalResult>;
export type HealthSnapshot = z.infer<typeof HealthSnapshot>;
export type Task = z.infer<typeof Task>;

/** The interchange files, in the order a reader loads them, with the schema of each line. */
export const INTERCHANGE_FILES = {
  accounts: { file: "accounts.ndjson", schema: Account },
  stakeholders: { file: "stakeholders.ndjson", schema: Stakeholder },
  tickets: { file: "tickets.ndjson", schema: Ticket },
  engagements: { file: "engagements.ndjson", schema: Engagement },
  usage: { file: "usage.ndjson", schema: UsageSample },
  milestones: { file: "milestones.ndjson", schema: Milestone },
  outcomes: { file: "outcomes.ndjson", schema: Outcome },
} as const;

export type RecordKind = keyof typeof INTERCHANGE_FILES;

/** Every kind of record, accounts first (what refers to an account comes after it). */
export const RECORD_KINDS = Object.keys(INTERCHANGE_FILES) as RecordKind[];

/** Every record of a portfolio, as plain arrays. */
export interface Portfolio {
  accounts: Account[];
  stakeholders: Stakeholder[];
  tickets: Ticket[];
  engagements: Engagement[];
  usage: UsageSample[];
  milestones: Milestone[];
  outcomes: Outcome[];
}

export function emptyPortfolio(): Portfolio {
  return {
    accounts: [],
    stakeholders: [],
    tickets: [],
    engagements: [],
    usage: [],
    milestones: [],
    outcomes: [],
  };
}
