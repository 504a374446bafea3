// Secrets `wrangler types` cannot see (they are not in wrangler.toml). Each connector's own secrets
// are read by name from its `config` schema (connectors/<vendor>/index.ts), not declared here.
declare namespace Cloudflare {
  interface Env {
    /** 32 random bytes, base64: seals OAuth tokens at rest. */
    TOKEN_KEY: string;
  }
}
