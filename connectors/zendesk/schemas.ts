// The Zendesk payloads Ebb reads, as zod schemas: only the fields it uses, every other field allowed
// (Zendesk adds fields without notice). Shapes from Zendesk's Ticketing API reference: tickets, ticket
// metric sets, users, organizations, the incremental exports, organization fields, job statuses.
import { z } from "zod";

const Id = z.number().int().positive();
const Time = z.string();
const Fields = z.record(z.string(), z.unknown()).nullish();

export const ZendeskTicket = z.looseObject({
  id: Id,
  created_at: Time,
  updated_at: Time,
  /** new, open, pending, hold, solved, closed; "deleted" in the export for a deleted ticket. */
  status: z.string(),
  priority: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  subject: z.string().nullish(),
  /** The first comment's text. */
  description: z.string().nullish(),
  requester_id: Id.nullish(),
  organization_id: Id.nullish(),
  satisfaction_rating: z.looseObject({ score: z.string() }).nullish(),
});
export type ZendeskTicket = z.infer<typeof ZendeskTicket>;

const Minutes = z.looseObject({ calendar: z.number().nullish() }).nullish();
export const ZendeskMetricSet = z.looseObject({
  ticket_id: Id,
  reopens: z.number().int().nullish(),
  solved_at: Time.nullish(),
  reply_time_in_minutes: Minutes,
  full_resolution_time_in_minutes: Minutes,
});
export type ZendeskMetricSet = z.infer<typeof ZendeskMetricSet>;

export const ZendeskUser = z.looseObject({
  id: Id,
  name: z.string().nullish(),
  email: z.string().nullish(),
  role: z.string(),
  active: z.boolean(),
  organization_id: Id.nullish(),
  updated_at: Time,
  user_fields: Fields,
});
export type ZendeskUser = z.infer<typeof ZendeskUser>;

export const ZendeskOrganization = z.looseObject({
  id: Id,
  name: z.string(),
  domain_names: z.array(z.string()).nullish(),
  external_id: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  updated_at: Time,
  deleted_at: Time.nullish(),
  organization_fields: Fields,
});
export type ZendeskOrganization = z.infer<typeof ZendeskOrganization>;

/** A page of a cursor-based incremental export (tickets, users). */
export const CursorPage = z.looseObject({
  after_cursor: z.string().nullish(),
  end_of_stream: z.boolean(),
});

export const TicketExportPage = CursorPage.extend({
  tickets: z.array(ZendeskTicket),
  metric_sets: z.array(ZendeskMetricSet).nullish(),
});

export const UserExportPage = CursorPage.extend({ users: z.array(ZendeskUser) });
export const UserList = z.looseObject({ users: z.array(ZendeskUser) });

/** A page of the time-based organization export. */
export const OrganizationExportPage = z.looseObject({
  organizations: z.array(ZendeskOrganization),
  end_time: z.number().int().nullish(),
  end_of_stream: z.boolean(),
});

export const OrganizationList = z.looseObject({ organizations: z.array(ZendeskOrganization) });

export const OrganizationFieldList = z.looseObject({
  organization_fields: z.array(z.looseObject({ id: Id, key: z.string() })),
  next_page: z.string().nullish(),
});

export const JobStatus = z.looseObject({
  job_status: z.looseObject({
    id: z.string(),
    status: z.enum(["queued", "working", "failed", "completed", "killed"]),
    message: z.string().nullish(),
    results: z
      .array(
        z.looseObject({
          id: Id.nullish(),
          success: z.boolean().nullish(),
          error: z.string().nullish(),
          details: z.string().nullish(),
        }),
      )
      .nullish(),
  }),
});
export type JobStatus = z.infer<typeof JobStatus>["job_status"];

export const TagList = z.looseObject({ tags: z.array(z.string()) });

export const Me = z.looseObject({
  user: z.looseObject({ id: Id, email: z.string().nullish(), role: z.string() }),
});

export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

export const WebhookList = z.looseObject({
  webhooks: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      endpoint: z.string(),
      subscriptions: z.array(z.string()).nullish(),
    }),
  ),
});
export const WebhookCreated = z.looseObject({ webhook: z.looseObject({ id: z.string() }) });
export const SigningSecret = z.looseObject({
  signing_secret: z.looseObject({ algorithm: z.string(), secret: z.string().min(1) }),
});
export const TriggerList = z.looseObject({
  triggers: z.array(z.looseObject({ id: z.number(), title: z.string() })),
  next_page: z.string().nullish(),
});
