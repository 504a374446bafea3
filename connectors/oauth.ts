// The OAuth 2.0 token request every connector makes (RFC 6749 §4.1.3 and §6): one POST to the
// vendor's token endpoint, its error answer (`error`, `error_description`) read into a
// ConnectorError — a refused grant is `auth`: the code or refresh token is spent or revoked — and
// its success checked against the vendor's answer schema. The SDKs have no call for it (node-zendesk
// manages tokens under /api/v2 only; jsforce's OAuth2 helper has no PKCE parameters).
import type { z } from "zod";
import { ConnectorError, codeForStatus } from "./errors.ts";

export async function requestTokens<S extends z.ZodType>(o: {
  url: string;
  /** JSON (Zendesk) or form-encoded (RFC 6749; Salesforce). */
  body: { json: Record<string, string> } | { form: Record<string, string> };
  schema: S;
  vendor: string;
  /** What the request is for, named in errors: "code exchange", "token refresh". */
  what: string;
}): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(o.url, {
      method: "POST",
      headers: {
        "content-type": "json" in o.body ? "application/json" : "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: "json" in o.body ? JSON.stringify(o.body.json) : new URLSearchParams(o.body.form),
    });
  } catch (e) {
    throw new ConnectorError("unavailable", `${o.what}: ${(e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let said = "";
    try {
      const b = JSON.parse(text) as { error?: string; error_description?: string };
      said = [b.error, b.error_description].filter(Boolean).join(": ");
    } catch {}
    // invalid_grant / invalid_client (400, 401): the install's grant is gone.
    const code = res.status === 400 || res.status === 401 ? "auth" : codeForStatus(res.status);
    throw new ConnectorError(
      code,
      `${o.what}: ${o.vendor} answered ${res.status}${said ? ` (${said})` : ""}`,
      { status: res.status },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConnectorError(
      "invalid_response",
      `${o.what}: ${o.vendor} sent a body that is not JSON`,
    );
  }
  const parsed = o.schema.safeParse(json);
  if (!parsed.success)
    throw new ConnectorError(
      "invalid_response",
      `${o.what}: ${o.vendor}'s token answer lacks ${parsed.error.issues[0]?.path.join(".")}`,
    );
  return parsed.data;
}
