// PKCE (RFC 7636) for a vendor whose install asks for it: the code verifier is derived from the
// OAuth state with a key of this Worker's own (HMAC-SHA256 under a key derived from TOKEN_KEY for
// this use only), so nothing more is stored with the state, and no one who sees the state in the
// consent URL can compute it. The challenge is the verifier's SHA-256 (method S256).
import { base64url } from "jose";

async function keyOf(tokenKey: string): Promise<CryptoKey> {
  const raw = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`ebb-pkce:${tokenKey}`),
  );
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** The verifier (43 characters, as RFC 7636 asks at least) and its S256 challenge for a state. */
export async function pkceFor(
  tokenKey: string,
  state: string,
): Promise<{ verifier: string; challenge: string }> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    await keyOf(tokenKey),
    new TextEncoder().encode(state),
  );
  const verifier = base64url.encode(new Uint8Array(mac));
  const challenge = base64url.encode(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  return { verifier, challenge };
}
