// Secrets `wrangler types` cannot see (they are not in wrangler.toml).
declare namespace Cloudflare {
  interface Env {
    HUBSPOT_CLIENT_ID: string;
    HUBSPOT_CLIENT_SECRET: string;
    /** 32 random bytes, base64: seals OAuth tokens at rest. */
    TOKEN_KEY: string;
  }
}
