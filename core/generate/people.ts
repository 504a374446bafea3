// The people and names of a synthetic account: its name and domain, its stakeholders (an executive,
// one or two champions, an influencer, a few end users; a champion who leaves), and who, by persona,
// files a ticket or answers an email on a day.
import { toTimeString } from "../day.ts";
import type { Persona, Stakeholder } from "../model.ts";
import { intensity, type Life } from "./life.ts";
import type { Rng } from "./random.ts";

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

/** The account's name and domain, from syllables (four draws). */
export function nameOf(rng: Rng, index: number): { name: string; domain: string } {
  const stem = `${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES)}`;
  const name = `${stem.charAt(0).toUpperCase()}${stem.slice(1)} ${rng.pick(SUFFIXES)}`;
  return { name, domain: `${stem}${index + 1}.example` };
}

/** The account's stakeholders, and a draw of one still with the customer on a day, by persona. */
export function castOf(
  rng: Rng,
  id: string,
  domain: string,
  life: Life,
  lastDay: number,
): {
  stakeholders: Stakeholder[];
  byPersona(day: number, weights: Record<Persona, number>): Stakeholder;
} {
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
  return { stakeholders, byPersona };
}

/** Who the CSM reaches on a day: champions fade from a stakeholder-coverage account as it decays. */
export function personaWeights(life: Life, day: number): Record<Persona, number> {
  if (life.kind === "stakeholder_coverage" && life.onset !== undefined && day >= life.onset) {
    const x = intensity(life, day, 0, 45);
    return { executive: 0.15 * (1 - x), champion: 0, influencer: 0.2, end_user: 0.65 };
  }
  return { executive: 0.1, champion: 0.5, influencer: 0.15, end_user: 0.25 };
}
