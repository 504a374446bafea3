// Checking that a request comes from Zendesk: webhook deliveries by their signature (HMAC-SHA256
// over timestamp + raw body, base64; Zendesk sets no maximum age, so Ebb allows five minutes), and
// the ZAF app's first page load by its signed-URL JWT (RS256 with the app's public key).
import { importSPKI, jwtVerify } from "jose";
import type { VerifyResult } from "../connector.ts";

/** Deliveries older (or newer) than this are refused: a replay window Zendesk leaves to receivers. */
export const MAX_SKEW_MS = 5 * 60_000;

const encoder = new TextEncoder();

function fromBase64(s: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Zendesk's signature of a delivery: base64(HMAC-SHA256(secret, timestamp + body)). */
export async function signZendeskWebhook(secret: string, timestamp: string, body: string) {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(timestamp + body));
  return btoa(String.fromCharCode(...new Uint8Array(mac)));
}

export async function verifyZendeskWebhook(
  input: { body: string; signature: string | null; timestamp: string | null },
  signingSecret: string,
  now: number,
): Promise<VerifyResult> {
  if (!input.signature || !input.timestamp)
    return { ok: false, reason: "missing X-Zendesk-Webhook-Signature or its timestamp" };
  const at = Date.parse(input.timestamp);
  if (!Number.isFinite(at)) return { ok: false, reason: "the signature timestamp is not a time" };
  if (Math.abs(now - at) > MAX_SKEW_MS)
    return { ok: false, reason: "the signature timestamp is more than 5 minutes from now" };
  const signature = fromBase64(input.signature);
  if (!signature) return { ok: false, reason: "the signature is not base64" };
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(signingSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  // subtle.verify compares in constant time.
  const ok = await crypto.subtle.verify(
    "HMAC",
    key,
    signature,
    encoder.encode(input.timestamp + input.body),
  );
  return ok ? { ok: true } : { ok: false, reason: "the signature does not match the body" };
}

/** What Ebb reads from a verified ZAF JWT: whose Zendesk and which agent. */
export interface AppTokenClaims {
  /** The Zendesk subdomain the token was issued for. */
  subdomain: string;
  /** The app installation the page belongs to. */
  installationId: string;
  /** The agent's Zendesk user id, when the token names one. */
  userId?: string;
}

/**
 * Verify the JWT Zendesk posts with a signed-URL app's first page load: RS256 under the app's
 * public key, expiry enforced, `iss` the account's Zendesk host and `aud` that account's app
 * installation. Only this token is trusted; tokens the ZAF request proxy adds to later calls are not.
 */
export async function verifyAppToken(
  token: string | null | undefined,
  publicKeyPem: string,
  now: number,
): Promise<({ ok: true } & AppTokenClaims) | { ok: false; reason: string }> {
  if (!token) return { ok: false, reason: "no ZAF token was posted" };
  let key: Awaited<ReturnType<typeof importSPKI>>;
  try {
    key = await importSPKI(publicKeyPem, "RS256");
  } catch {
    return { ok: false, reason: "the app's public key is not an RSA public key in PEM" };
  }
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["RS256"],
      currentDate: new Date(now),
      requiredClaims: ["iss", "aud", "exp"],
    });
    const iss = String(payload.iss);
    const host = /^([a-z0-9][a-z0-9-]*)\.zendesk\.com$/.exec(iss);
    if (!host?.[1]) return { ok: false, reason: `iss ${iss} is not a Zendesk account` };
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const prefix = `https://${iss}/api/v2/apps/installations/`;
    const installation = aud
      .map((a) =>
        typeof a === "string" && a.startsWith(prefix)
          ? /^(\d+)\.json$/.exec(a.slice(prefix.length))?.[1]
          : undefined,
      )
      .find((x) => x !== undefined);
    if (!installation)
      return { ok: false, reason: "aud is not an app installation of the issuing account" };
    const user = payload.sub ?? (payload as { context?: { user_id?: unknown } }).context?.user_id;
    return {
      ok: true,
      subdomain: host[1],
      installationId: installation,
      ...(user === undefined ? {} : { userId: String(user) }),
    };
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    const reason =
      code === "ERR_JWT_EXPIRED"
        ? "the token has expired"
        : code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
          ? "the token's signature does not match the app's key"
          : code === "ERR_JWT_CLAIM_VALIDATION_FAILED"
            ? `the token's claims are not valid (${(e as Error).message})`
            : `the token is not a valid RS256 JWT (${(e as Error).message})`;
    return { ok: false, reason };
  }
}
