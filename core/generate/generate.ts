// The synthetic portfolio: deterministic from a seed, in the interchange format, with ground truth.
// Accounts are generated independently (one seeded stream each), so any slice can be regenerated
// alone. Each account's life (life.ts), people (people.ts) and tickets (tickets.ts) have files of
// their own; this one draws usage and engagements day by day, then milestones and outcomes.
import { toDayNumber, toDayString, toTimeString } from "../day.ts";
import type {
  Account,
  Engagement,
  Milestone,
  Outcome,
  Persona,
  Portfolio,
  Stakeholder,
  Ticket,
  UsageSample,
} from "../model.ts";
import { emptyPortfolio } from "../model.ts";
import { FEATURES, type Truth } from "./archetypes.ts";
import { intensity, isHoliday, type Life, lifeOf, planOf } from "./life.ts";
import { castOf, nameOf, personaWeights } from "./people.ts";
import { accountSeed, createRng, type Rng } from "./random.ts";
import { ticketsOn } from "./tickets.ts";

export { planOf };

export interface GenerateOptions {
  accounts: number;
  seed: number;
  /** First day of data (default 2024-01-01). */
  start?: string;
  /** Days of data (default 730: two years). */
  days?: number;
  /** Include the product-wide incident (default true). */
  incident?: boolean;
}

export interface Generated {
  portfolio: Portfolio;
  truth: Truth[];
}

export function generatePortfolio(o: GenerateOptions): Generated {
  const out = emptyPortfolio();
  const truth: Truth[] = [];
  const plan = planOf(o);
  for (let i = 0; i < o.accounts; i++) {
    const g = generateAccount(o, i, plan);
    out.accounts.push(g.account);
    pushAll(out.stakeholders, g.stakeholders);
    pushAll(out.tickets, g.tickets);
    pushAll(out.engagements, g.engagements);
    pushAll(out.usage, g.usage);
    pushAll(out.milestones, g.milestones);
    pushAll(out.outcomes, g.outcomes);
    truth.push(g.truth);
  }
  return { portfolio: out, truth };
}

function pushAll<T>(into: T[], items: T[]): void {
  for (const x of items) into.push(x);
}

export function generateAccount(o: GenerateOptions, index: number, plan = planOf(o)) {
  const rng = createRng(accountSeed(o.seed, index));
  const life = lifeOf(rng, plan);
  const id = `acc-${String(index + 1).padStart(5, "0")}`;
  const { name, domain } = nameOf(rng, index);
  const owner = rng.int(1, 8);
  const lastDay = life.churn !== undefined ? life.churn - 1 : plan.end;
  let renewal = life.since;
  const renewalFloor = life.churn ?? plan.end - 60;
  while (renewal < renewalFloor) renewal += 365;
  const account: Account = {
    id,
    name,
    domain,
    ownerId: `csm-${owner}`,
    ownerEmail: `csm${owner}@ebb-demo.example`,
    customerSince: toDayString(life.since),
    renewalAt: toDayString(renewal),
    arr: rng.int(6, 240) * 1000,
  };
  const { stakeholders, byPersona } = castOf(rng, id, domain, life, lastDay);

  // Usage model.
  const seats = Math.round(Math.exp(rng.normal(Math.log(25), 0.7))) + 3;
  const activeShare = 0.5 + 0.3 * rng.next();
  const eventsPerUser = rng.int(12, 40);
  const seasonStart = 182 + rng.int(-20, 20);
  const usage: UsageSample[] = [];
  const featureFlood = rng.pick(FEATURES);

  const tickets: Ticket[] = [];
  const engagements: Engagement[] = [];
  const ticketDay = {
    rng,
    id,
    life,
    plan,
    lastDay,
    baseRate: life.kind === "quiet_loyal" ? 0.02 : life.kind === "busy_howto" ? 0.3 : 0.06,
    featureFlood,
    byPersona,
    count: 0,
  };
  const inboundRate =
    life.kind === "quiet_loyal" ? 1 / 45 : life.kind === "busy_howto" ? 1 / 7 : 1 / 12;
  const contact = { rng, id, life, inboundRate, byPersona, count: 0 };

  for (let day = life.dataStart; day <= lastDay; day++) {
    const weekday = new Date(day * 86_400_000).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const holiday = isHoliday(day);
    let level = seats * activeShare;
    const tenure = day - life.since;
    if (tenure < 60) level *= 0.3 + 0.7 * (tenure / 60);
    if (life.kind === "growing") level *= 1 + 0.6 * ((day - plan.start) / 365);
    if (life.kind === "seasonal") {
      const doy = day - toDayNumber(`${toDayString(day).slice(0, 4)}-01-01`);
      if (doy >= seasonStart && doy < seasonStart + 35) level *= 0.6;
    }
    if (life.kind === "usage_drop") level *= 1 - 0.7 * intensity(life, day, 0, 120);
    else if (life.kind === "implementation_stall") level *= 1 - 0.6 * intensity(life, day, 20, 90);
    else if (life.onset !== undefined) level *= 1 - 0.45 * intensity(life, day, 40, 120);
    if (holiday) level *= 0.5;
    if (weekend) level *= 0.25;
    const active = rng.poisson(level);
    if (active > 0) {
      usage.push({
        accountId: id,
        day: toDayString(day),
        activeUsers: active,
        events: rng.poisson(active * eventsPerUser),
      });
    }

    const dark =
      life.kind === "going_dark"
        ? intensity(life, day, 0, 14)
        : life.kind === "implementation_stall"
          ? intensity(life, day, 0, 21) * 0.9
          : 0;
    const fading =
      life.churn !== undefined && life.onset !== undefined
        ? Math.max(0, 1 - (life.churn - day) / 60) * 0.7
        : 0;
    const quiet = Math.max(dark, fading);
    ticketsOn(ticketDay, day, weekend, holiday, quiet, tickets);
    engagementsOn(contact, day, weekend, holiday, quiet, engagements);
  }

  // Milestones for customers whose onboarding falls inside the data.
  const milestones: Milestone[] = [];
  if (life.since >= plan.start) {
    const plan4: [string, number][] = [
      ["Kickoff", 10],
      ["Data import", 30],
      ["Integrations live", 50],
      ["Go-live", 75],
    ];
    plan4.forEach(([mName, dueIn], k) => {
      const due = life.since + dueIn;
      let done: number | undefined = due + rng.int(-5, 4);
      if (life.kind === "implementation_stall" && k > 0)
        done =
          life.recovers !== undefined ? Math.max(due, life.recovers) + rng.int(0, 10) : undefined;
      if (life.kind === "onboarding_friction") done = due + rng.int(0, 20);
      if (done !== undefined && done > lastDay) done = undefined;
      const m: Milestone = {
        id: `${id}-m${k + 1}`,
        accountId: id,
        name: mName,
        dueAt: toDayString(due),
      };
      if (done !== undefined) m.doneAt = toDayString(done);
      milestones.push(m);
    });
  }

  const outcomes: Outcome[] = [];
  for (let r = life.since + 365; r <= Math.min(plan.end, lastDay); r += 365) {
    if (r >= plan.start) outcomes.push({ accountId: id, kind: "renewed", at: toDayString(r) });
  }
  if (life.churn !== undefined)
    outcomes.push({ accountId: id, kind: "churned", at: toDayString(life.churn) });

  const truth: Truth = { accountId: id, archetype: life.kind };
  if (life.onset !== undefined) truth.onsetAt = toDayString(life.onset);
  if (life.churn !== undefined) truth.churnAt = toDayString(life.churn);
  if (life.recovers !== undefined) truth.recoversAt = toDayString(life.recovers);
  return { account, stakeholders, tickets, engagements, usage, milestones, outcomes, truth };
}

/** What a day's engagements depend on beyond the day itself. */
interface ContactDay {
  rng: Rng;
  id: string;
  life: Life;
  inboundRate: number;
  byPersona(day: number, weights: Record<Persona, number>): Stakeholder;
  /** Engagements so far (their numbering). */
  count: number;
}

/** The CSM's outreach and its answers, the customer's own contacts, and internal notes on a day. */
function engagementsOn(
  a: ContactDay,
  day: number,
  weekend: boolean,
  holiday: boolean,
  quiet: number,
  engagements: Engagement[],
): void {
  const { rng, id, life, byPersona, inboundRate } = a;
  const outboundRate = (1 / 14) * (1 + 2 * quiet) * (weekend ? 0.1 : 1.35);
  for (let k = rng.poisson(outboundRate); k > 0; k--) {
    const kind = rng.pick(["email", "email", "email", "call", "meeting"] as const);
    const who = byPersona(day, personaWeights(life, day));
    const answered = !rng.chance(0.15 + 0.75 * quiet);
    const outcome =
      kind === "email"
        ? answered
          ? "replied"
          : "unanswered"
        : kind === "call"
          ? answered
            ? "completed"
            : "unanswered"
          : answered
            ? "completed"
            : "no_show";
    engagements.push({
      id: `${id}-e${++a.count}`,
      accountId: id,
      stakeholderId: who.id,
      kind,
      direction: "outbound",
      at: toTimeString(day, rng.int(480, 1080)),
      outcome,
    });
  }
  const inRate = inboundRate * (1 - quiet) * (weekend ? 0.1 : 1.35) * (holiday ? 0.5 : 1);
  for (let k = rng.poisson(inRate); k > 0; k--) {
    const who = byPersona(day, personaWeights(life, day));
    engagements.push({
      id: `${id}-e${++a.count}`,
      accountId: id,
      stakeholderId: who.id,
      kind: rng.chance(0.8) ? "email" : "call",
      direction: "inbound",
      at: toTimeString(day, rng.int(480, 1080)),
    });
  }
  if (rng.chance(1 / 30)) {
    engagements.push({
      id: `${id}-e${++a.count}`,
      accountId: id,
      kind: "note",
      direction: "internal",
      at: toTimeString(day, rng.int(480, 1080)),
    });
  }
}
