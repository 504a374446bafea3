// Ebb's own short-lived session for an in-vendor page (Zendesk's sidebar): issued after the
// vendor's signed page load is verified, bound to that vendor and install, and the only credential
// the page's data requests carry. An HS256 JWT under a key derived from TOKEN_KEY for this use only.
import { jwtVerify, SignJWT } from "jose";

/** How long a page's session lasts: an agent's sidebar reloads itself well within this. */
export const VIEW_SESSION_TTL_S = 15 * 60;

async function keyOf(tokenKey: string): Promise<Uint8Array> {
  const bytes = new TextEncoder().encode(`ebb-view-session:${tokenKey.trim()}`);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export async function issueViewSession(
  tokenKey: string,
  claims: { vendor: string; externalId: string; user?: string | undefined },
  now: number,
): Promise<string> {
  return new SignJWT({ vendor: claims.vendor, ext: claims.externalId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.user ?? "agent")
    .setIssuer("ebb")
    .setAudience(`ebb-view:${claims.vendor}`)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + VIEW_SESSION_TTL_S)
    .sign(await keyOf(tokenKey));
}

/** The install a view session names, or null when it is not one Ebb issued for this vendor, or expired. */
export async function verifyViewSession(
  tokenKey: string,
  vendor: string,
  token: string,
  now: number,
): Promise<{ externalId: string } | null> {
  try {
    const { payload } = await jwtVerify(token, await keyOf(tokenKey), {
      algorithms: ["HS256"],
      issuer: "ebb",
      audience: `ebb-view:${vendor}`,
      currentDate: new Date(now),
    });
    return payload.vendor === vendor && typeof payload.ext === "string"
      ? { externalId: payload.ext }
      : null;
  } catch {
    return null;
  }
}
