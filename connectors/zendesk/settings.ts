// Zendesk connection settings: which organization and user fields carry what Ebb needs beyond
// Zendesk's own, and how escalations are marked. Defaults match the fields Ebb's setup creates; an
// account that already keeps these facts under other keys points here.
import { z } from "zod";

export const ZendeskSettings = z.object({
  /** Organization fields (by key) Ebb reads into the account. */
  organizationFields: z
    .object({
      /** The CSM who owns the account: an email. */
      owner: z.string().default("ebb_owner_email"),
      /** Renewal date (a date field). */
      renewal: z.string().default("ebb_renewal_date"),
      /** Customer since (a date field). */
      customerSince: z.string().default("ebb_customer_since"),
      /** Annual recurring revenue (a decimal field). */
      arr: z.string().default("ebb_arr"),
    })
    .default({
      owner: "ebb_owner_email",
      renewal: "ebb_renewal_date",
      customerSince: "ebb_customer_since",
      arr: "ebb_arr",
    }),
  /** User fields (by key) Ebb reads into the stakeholder. */
  userFields: z
    .object({
      /** Persona: executive, champion, influencer or end_user (a dropdown or text field). */
      persona: z.string().default("ebb_persona"),
      /** Job title (text). */
      title: z.string().default("job_title"),
      /** The day the person left the customer (a date field). */
      leftAt: z.string().default("ebb_left_at"),
    })
    .default({ persona: "ebb_persona", title: "job_title", leftAt: "ebb_left_at" }),
  /** A ticket carrying this tag is an escalation (the tag itself is not kept as a topic). */
  escalationTag: z.string().default("escalated"),
  /** Items per export page: Zendesk's maximum, 1,000, unless a test asks for less. */
  pageSize: z.number().int().min(1).max(1000).default(1000),
});

export type ZendeskSettings = z.infer<typeof ZendeskSettings>;
export const DEFAULT_SETTINGS: ZendeskSettings = ZendeskSettings.parse({});
