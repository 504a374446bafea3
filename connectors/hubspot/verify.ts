// HubSpot request signature v3, for webhooks and app-card `hubspot.fetch` calls:
// base64(HMAC-SHA256(client secret, method + URI + raw body + timestamp)), timestamp in ms, at most
// five minutes old. Web Crypto only, so it runs in the Worker as in Node; `crypto.subtle.verify`
// compares in constant time.
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation

export const MAX_AGE_MS = 5 * 60_000;

/** Characters HubSpot decodes in the URI before signing. */
const DECODE: Record<string, string> = {
  "%3A": ":",
  "%2F": "/",
  "%3F": "?",
  "%40": "@",
  "%21": "!",
  "%24": "$",
  "%27": "'",
  "%28": "(",
  "%29": ")",
  "%2A": "*",
  "%2C": ",",
  "%3B": ";",
};

export function canonicalUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (m) => DECODE[m.toUpperCase()] ?? m,
  );
}

export interface SignedRequest {
  method: string;
  /** The full URI HubSpot called, with scheme, host and query. */
  uri: string;
  body: string;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: "missing" | "stale" | "bad_signature" };

async function key(
  secret: string,
  usage: "sign" | "verify",
): ReturnType<typeof crypto.subtle.importKey> {
  return crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [usage],
  );
}

function payload(r: Pick<SignedRequest, "method" | "uri" | "body">, timestamp: string): Uint8Array {
  return new TextEncoder().encode(
    `${r.method.toUpperCase()}${canonicalUri(r.uri)}${r.body}${timestamp}`,
  );
}

/** Check a request's v3 signature against the app's client secret at time `nowMs`. */
export async function verifyHubSpotSignature(
  r: SignedRequest,
  clientSecret: string,
  nowMs: number,
): Promise<VerifyResult> {
  if (!r.signature || !r.timestamp || !/^\d+$/.test(r.timestamp))
    return { ok: false, reason: "missing" };
  const age = nowMs - Number(r.timestamp);
  if (age > MAX_AGE_MS || age < -MAX_AGE_MS) return { ok: false, reason: "stale" };
  let given: Uint8Array;
  try {
    given = Uint8Array.from(atob(r.signature), (c) => c.charCodeAt(0));
  } catch {
    return { ok: false, reason: "bad_signature" };
  }
  const ok = await crypto.subtle.verify(
    "HMAC",
    await key(clientSecret, "verify"),
    given,
    payload(r, r.timestamp),
  );
  return ok ? { ok: true } : { ok: false, reason: "bad_signature" };
}

/** Sign a request as HubSpot would (for the sandbox, tests and the local demo). */
export async function signHubSpotRequest(
  r: Pick<SignedRequest, "method" | "uri" | "body">,
  clientSecret: string,
  timestampMs: number,
): Promise<{ signature: string; timestamp: string }> {
  const timestamp = String(timestampMs);
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", await key(clientSecret, "sign"), payload(r, timestamp)),
  );
  return { signature: btoa(String.fromCharCode(...mac)), timestamp };
}
