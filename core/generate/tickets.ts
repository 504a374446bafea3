// The tickets a synthetic account files on a day: a base rate by archetype, raised and soured by its
// kind of decay, a flood on one feature, and the product-wide incident's tickets.
import { toTimeString } from "../day.ts";
import type { Persona, Stakeholder, Ticket } from "../model.ts";
import { FEATURES } from "./archetypes.ts";
import { intensity, type Life, type Plan } from "./life.ts";
import type { Rng } from "./random.ts";
import { fill, INCIDENT, IRRITATED, NEUTRAL } from "./text.ts";

/** What a day's tickets depend on beyond the day itself. */
export interface TicketDay {
  rng: Rng;
  id: string;
  life: Life;
  plan: Plan;
  lastDay: number;
  baseRate: number;
  featureFlood: string;
  byPersona(day: number, weights: Record<Persona, number>): Stakeholder;
  /** Tickets so far (their numbering). */
  count: number;
}

export function ticketsOn(
  a: TicketDay,
  day: number,
  weekend: boolean,
  holiday: boolean,
  quiet: number,
  out: Ticket[],
): void {
  const { rng, life, id, lastDay } = a;
  const x = intensity(life, day);
  // A customer going quiet files fewer tickets too.
  let rate = a.baseRate * (weekend ? 0.3 : 1.2) * (holiday ? 0.5 : 1) * (1 - 0.7 * quiet);
  let irritatedShare = 0.03;
  let badShare = 0.06;
  let reopenShare = 0.05;
  let escalateShare = 0.02;
  let slow = 1;
  switch (life.kind) {
    case "onboarding_friction":
      rate += 0.25 * x;
      irritatedShare += 0.6 * x;
      escalateShare += 0.25 * x;
      badShare += 0.45 * x;
      break;
    case "support_experience":
      rate += 0.05 * x;
      irritatedShare += 0.35 * x;
      badShare += 0.45 * x;
      reopenShare += 0.35 * x;
      escalateShare += 0.2 * x;
      slow += 2 * x;
      break;
    case "stakeholder_coverage":
      rate += 0.06 * x;
      irritatedShare += 0.35 * x;
      break;
    default:
      if (life.onset !== undefined) irritatedShare += 0.1 * intensity(life, day, 40, 60);
  }
  const newTickets =
    rng.poisson(rate) + (life.kind === "ticket_flood" && !weekend ? rng.poisson(0.6 * x) : 0);
  for (let k = 0; k < newTickets; k++) {
    const flood = life.kind === "ticket_flood" && x > 0 && rng.chance(0.75);
    const feature = flood ? a.featureFlood : rng.pick(FEATURES);
    const irritated = rng.chance(flood ? 0.3 : irritatedShare);
    const tpl = irritated ? rng.pick(IRRITATED) : rng.pick(NEUTRAL);
    const requester = a.byPersona(day, {
      executive: 0.05,
      champion: 0.35,
      influencer: 0.2,
      end_user: 0.4,
    });
    out.push(
      makeTicket(rng, id, ++a.count, day, lastDay, {
        tags: [feature, irritated ? "problem" : "question"],
        subject: fill(tpl[0], feature),
        text: fill(tpl[1], feature),
        requesterId: requester.id,
        bad: rng.chance(0.6) ? (rng.chance(badShare) ? "bad" : "good") : undefined,
        reopens: rng.chance(reopenShare) ? rng.int(1, 2) : 0,
        escalated: rng.chance(escalateShare),
        slow,
      }),
    );
  }
  const incident = a.plan.incidentDay;
  if (incident !== undefined && day >= incident && day < incident + 3 && rng.chance(0.35)) {
    const requester = a.byPersona(day, {
      executive: 0.05,
      champion: 0.5,
      influencer: 0.2,
      end_user: 0.25,
    });
    out.push(
      makeTicket(rng, id, ++a.count, day, lastDay, {
        tags: ["sync", "problem"],
        subject: INCIDENT[0],
        text: INCIDENT[1],
        requesterId: requester.id,
        bad: rng.chance(0.2) ? "bad" : undefined,
        reopens: 0,
        escalated: rng.chance(0.2),
        slow: 1,
        priority: "urgent",
      }),
    );
  }
}

interface TicketShape {
  tags: string[];
  subject: string;
  text: string;
  requesterId: string;
  bad: "good" | "bad" | undefined;
  reopens: number;
  escalated: boolean;
  slow: number;
  priority?: Ticket["priority"];
}

function makeTicket(
  rng: Rng,
  accountId: string,
  n: number,
  day: number,
  lastDay: number,
  s: TicketShape,
): Ticket {
  const createdMin = rng.int(420, 1140);
  const firstReply = Math.round(Math.exp(rng.normal(Math.log(90), 0.6)) * s.slow);
  const resolution = Math.round(Math.exp(rng.normal(Math.log(600), 0.8)) * s.slow);
  const solvedDay = day + Math.floor((createdMin + resolution) / 1440);
  const solved = solvedDay <= lastDay;
  const t: Ticket = {
    id: `${accountId}-t${n}`,
    accountId,
    requesterId: s.requesterId,
    createdAt: toTimeString(day, createdMin),
    status: solved ? "solved" : "open",
    priority: s.priority ?? (s.escalated ? "high" : "normal"),
    tags: s.tags,
    subject: s.subject,
    text: s.text,
    firstReplyMinutes: firstReply,
  };
  if (solved) {
    t.solvedAt = toTimeString(day, createdMin + resolution);
    t.resolutionMinutes = resolution;
    if (s.bad) t.satisfaction = s.bad;
  }
  if (s.reopens) t.reopens = s.reopens;
  if (s.escalated) t.escalated = true;
  return t;
}
