// Ticket subjects and first comments: neutral how-to and bug reports for healthy accounts,
// confused or irritated ones for accounts in trouble.

export const NEUTRAL = [
  ["How do I set up {f}?", "Hi team, could you point me to the docs for configuring {f}? Thanks!"],
  ["Question about {f}", "We would like to add two more people to {f}. What is the best way?"],
  [
    "{f}: change the default view",
    "Is it possible to change the default view in {f} for our team?",
  ],
  ["Request: {f} export to CSV", "Could you add a CSV option to {f}? It would save us time."],
  ["{f} shows an error on save", "When saving in {f} we get an error message. Steps attached."],
] as const;

export const IRRITATED = [
  [
    "Still can't get {f} working",
    "This is frustrating. {f} is still broken after the last fix and the team is stuck.",
  ],
  [
    "Confused by {f} setup",
    "The {f} setup is confusing and the docs are unclear. We are stuck and disappointed.",
  ],
  ["{f} failed again", "{f} failed again today. This is unacceptable, we lost a day of work."],
  [
    "Unhappy with {f}",
    "Honestly the {f} experience has been terrible. Nothing works the way we were promised.",
  ],
] as const;

export const INCIDENT = [
  "Sync is broken for everyone?",
  "Data sync failed and our dashboards are wrong. This is a serious problem.",
] as const;

export function fill(template: string, feature: string): string {
  return template.replaceAll("{f}", feature);
}
