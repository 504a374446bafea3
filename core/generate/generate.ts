// The synthetic portfolio: deterministic from a seed, in the interchange format, with ground truth.
// Accounts are generated independently (one seeded stream each), so any slice can be regenerated alone.
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
import {
  type Archetype,
  CHURN_SHARE,
  FEATURES,
  MIX,
  SURPRISE_CHURN_SHARE,
  type Truth,
} from "./archetypes.ts";
import { accountSeed, createRng, type Rng } from "./random.ts";
import { fill, INCIDENT, IRRITATED, NEUTRAL } from "./text.ts";

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

interface Plan {
  start: number;
  end: number;
  incidentDay: number | undefined;
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

export function planOf(o: GenerateOptions): Plan {
  const start = toDayNumber(o.start ?? "2024-01-01");
  const end = start + (o.days ?? 730) - 1;
  const rng = createRng(accountSeed(o.seed, -1));
  const incidentDay =
    o.incident === false ? undefined : start + Math.floor((end - start) * 0.55) + rng.int(-20, 20);
  return { start, end, incidentDay };
}

const SYLLABLES: readonly string[] = [
  "ac",
  "mo",
  "ra",
  "vel",
  "lin",
  "tor",
  "qu",
  "is",
  "nex",
  "or",
  "bri",
  "ta",
  "zen",
  "ko",
  "sa",
  "lum",
];
const SUFFIXES: readonly string[] = [
  "Labs",
  "Systems",
  "Logistics",
  "Health",
  "Foods",
  "Capital",
  "Studio",
  "Works",
  "Energy",
  "Retail",
];
const FIRST: readonly string[] = [
  "Dana",
  "Sam",
  "Alex",
  "Kim",
  "Lee",
  "Robin",
  "Jo",
  "Chris",
  "Maria",
  "Omar",
  "Yuki",
  "Priya",
  "Tom",
  "Ines",
];
const LAST: readonly string[] = [
  "Lee",
  "Garcia",
  "Okafor",
  "Novak",
  "Smith",
  "Chen",
  "Rossi",
  "Kowalski",
  "Haddad",
  "Berg",
  "Silva",
  "Ito",
];

function pickArchetype(rng: Rng): Archetype {
  let x = rng.next();
  for (const [kind, share] of MIX) {
    if (x < share) return kind;
    x -= share;
  }
  return "steady";
}

interface Life {
  kind: Archetype;
  since: number;
  dataStart: number;
  onset: number | undefined;
  churn: number | undefined;
  recovers: number | undefined;
}

function lifeOf(rng: Rng, plan: Plan): Life {
  const kind = pickArchetype(rng);
  const newCustomer =
    kind === "onboarding_friction" || kind === "implementation_stall" || rng.chance(0.25);
  const since = newCustomer
    ? kind === "onboarding_friction" || kind === "implementation_stall"
      ? rng.int(plan.start + 30, plan.end - 260)
      : rng.int(plan.start, plan.end - 200)
    : plan.start - rng.int(120, 1400);
  const dataStart = Math.max(since, plan.start);
  let onset: number | undefined;
  let churn: number | undefined;
  let recovers: number | undefined;
  const decaying =
    kind !== "quiet_loyal" &&
    kind !== "busy_howto" &&
    kind !== "seasonal" &&
    kind !== "growing" &&
    kind !== "steady";
  if (decaying) {
    onset = newCustomer ? since + rng.int(3, 15) : rng.int(plan.start + 150, plan.end - 150);
    if (rng.chance(CHURN_SHARE)) {
      const c = onset + rng.int(newCustomer ? 130 : 110, newCustomer ? 220 : 200);
      churn = c <= plan.end ? c : undefined;
    } else {
      recovers = onset + rng.int(70, 130);
    }
  } else if (rng.chance(SURPRISE_CHURN_SHARE)) {
    churn = rng.int(dataStart + 120, plan.end);
  }
  return { kind, since, dataStart, onset, churn, recovers };
}

/** Decay intensity on a day: 0 before onset, ramping to 1 over `rampDays`, back to 0 after recovery. */
function intensity(life: Life, day: number, delay = 0, rampDays = 30): number {
  if (life.onset === undefined) return 0;
  const from = life.onset + delay;
  if (day < from) return 0;
  let x = Math.min(1, (day - from) / rampDays);
  if (life.recovers !== undefined && day >= life.recovers)
    x *= Math.max(0, 1 - (day - life.recovers) / 30);
  return x;
}

function isHoliday(day: number): boolean {
  const s = toDayString(day);
  const md = s.slice(5);
  return md >= "12-22" || md <= "01-02";
}

export function generateAccount(o: GenerateOptions, index: number, plan = planOf(o)) {
  const rng = createRng(accountSeed(o.seed, index));
  const life = lifeOf(rng, plan);
  const id = `acc-${String(index + 1).padStart(5, "0")}`;
  const stem = `${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}`;
  const name = `${stem.charAt(0).toUpperCase()}${stem.slice(1)} ${rng.pick(SUFFIXES)}`;
  const domain = `${stem}${index + 1}.example`;
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
    externalIds: undefined,
  };
  delete account.externalIds;

  // Stakeholders: one executive, one or two champions, an influencer, a few end users.
  const stakeholders: Stakeholder[] = [];
  const person = (persona: Persona, title: string): Stakeholder => {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const st: Stakeholder = {
      id: `${id}-p${stakeholders.length + 1}`,
      accountId: id,
      name: `${first} ${last}`,
      email: `${first.toLowerCase()}.${last.toLowerCase()}@${domain}`,
      title,
      persona,
      active: true,
    };
    stakeholders.push(st);
    return st;
  };
  person("executive", "VP Operations");
  const champion = person("champion", "Operations Manager");
  const secondChampion =
    life.kind !== "stakeholder_coverage" && rng.chance(0.4)
      ? person("champion", "Team Lead")
      : undefined;
  person("influencer", "Analyst");
  const endUsers = rng.int(1, 4);
  for (let k = 0; k < endUsers; k++) person("end_user", "Specialist");
  if (life.kind === "stakeholder_coverage" && life.onset !== undefined) {
    champion.active = false;
    champion.leftAt = toTimeString(life.onset, 600);
  } else if (secondChampion && rng.chance(0.25)) {
    // A champion leaves a healthy account that has another: no reason to worry.
    const left = rng.int(life.dataStart + 60, lastDay);
    if (left < lastDay) {
      secondChampion.active = false;
      secondChampion.leftAt = toTimeString(left, 600);
    }
  }
  const contactable = (day: number) =>
    stakeholders.filter((s) => !s.leftAt || s.leftAt > toTimeString(day, 1439));
  const byPersona = (day: number, weights: Record<Persona, number>): Stakeholder => {
    const pool = contactable(day);
    let total = 0;
    for (const s of pool) total += weights[s.persona ?? "end_user"];
    let x = rng.next() * total;
    for (const s of pool) {
      x -= weights[s.persona ?? "end_user"];
      if (x <= 0) return s;
    }
    return pool[pool.length - 1] ?? champion;
  };

  // Usage model.
  const seats = Math.round(Math.exp(rng.normal(Math.log(25), 0.7))) + 3;
  const activeShare = 0.5 + 0.3 * rng.next();
  const eventsPerUser = rng.int(12, 40);
  const seasonStart = 182 + rng.int(-20, 20);
  const usage: UsageSample[] = [];
  const featureFlood = rng.pick(FEATURES);

  const tickets: Ticket[] = [];
  const engagements: Engagement[] = [];
  const baseTicketRate =
    life.kind === "quiet_loyal" ? 0.02 : life.kind === "busy_howto" ? 0.3 : 0.06;
  const inboundRate =
    life.kind === "quiet_loyal" ? 1 / 45 : life.kind === "busy_howto" ? 1 / 7 : 1 / 12;
  let ticketNo = 0;
  let engagementNo = 0;

  for (let day = life.dataStart; day <= lastDay; day++) {
    const weekday = new Date(day * 86_400_000).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const holiday = isHoliday(day);
    // --- usage
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
    // --- tickets
    const x = intensity(life, day);
    // A customer going quiet files fewer tickets too.
    let rate = baseTicketRate * (weekend ? 0.3 : 1.2) * (holiday ? 0.5 : 1) * (1 - 0.7 * quiet);
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
      const feature = flood ? featureFlood : rng.pick(FEATURES);
      const irritated = rng.chance(flood ? 0.3 : irritatedShare);
      const tpl = irritated ? rng.pick(IRRITATED) : rng.pick(NEUTRAL);
      const requester = byPersona(day, {
        executive: 0.05,
        champion: 0.35,
        influencer: 0.2,
        end_user: 0.4,
      });
      tickets.push(
        makeTicket(rng, id, ++ticketNo, day, lastDay, {
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
    if (
      plan.incidentDay !== undefined &&
      day >= plan.incidentDay &&
      day < plan.incidentDay + 3 &&
      rng.chance(0.35)
    ) {
      const requester = byPersona(day, {
        executive: 0.05,
        champion: 0.5,
        influencer: 0.2,
        end_user: 0.25,
      });
      tickets.push(
        makeTicket(rng, id, ++ticketNo, day, lastDay, {
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

    // --- engagements
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
        id: `${id}-e${++engagementNo}`,
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
        id: `${id}-e${++engagementNo}`,
        accountId: id,
        stakeholderId: who.id,
        kind: rng.chance(0.8) ? "email" : "call",
        direction: "inbound",
        at: toTimeString(day, rng.int(480, 1080)),
      });
    }
    if (rng.chance(1 / 30)) {
      engagements.push({
        id: `${id}-e${++engagementNo}`,
        accountId: id,
        kind: "note",
        direction: "internal",
        at: toTimeString(day, rng.int(480, 1080)),
      });
    }
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

function personaWeights(life: Life, day: number): Record<Persona, number> {
  if (life.kind === "stakeholder_coverage" && life.onset !== undefined && day >= life.onset) {
    const x = intensity(life, day, 0, 45);
    return { executive: 0.15 * (1 - x), champion: 0, influencer: 0.2, end_user: 0.65 };
  }
  return { executive: 0.1, champion: 0.5, influencer: 0.15, end_user: 0.25 };
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
