// OAuth tokens for any vendor, and the keeper that hands out a valid access token: refreshed by
// expiry (not on a 401), a set time ahead, once however many callers ask at the same moment.
export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** The install's site (a Zendesk subdomain) where these tokens are refreshed; kept with them. */
  site?: string;
  /** Where the install's API is, as the vendor's token answer named it (Salesforce's instance_url). */
  instanceUrl?: string;
}

export interface TokenKeeper {
  accessToken(o?: { forceRefresh?: boolean; rejected?: string }): Promise<string>;
  /** The tokens in use (after `accessToken` resolves: the fresh ones). */
  current(): Tokens;
  refreshes(): number;
}

export function createTokenKeeper(
  initial: Tokens,
  options: {
    refresh(refreshToken: string, now: number): Promise<Tokens>;
    /** Refresh this long before expiry. */
    aheadMs: number;
    now: () => number;
    /** Persist new tokens (the ConnectionGate seals them) before anyone uses them. */
    save?: (t: Tokens) => Promise<void>;
  },
): TokenKeeper {
  let tokens = initial;
  let inFlight: Promise<Tokens> | undefined;
  let count = 0;
  const refresh = () => {
    inFlight ??= (async () => {
      try {
        count++;
        const next = await options.refresh(tokens.refreshToken, options.now());
        await options.save?.(next);
        tokens = next;
        return next;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  return {
    async accessToken(o) {
      if (inFlight !== undefined) return (await inFlight).accessToken;
      // The rejected token was already replaced: the new one is the answer.
      if (o?.forceRefresh && o.rejected !== undefined && o.rejected !== tokens.accessToken)
        return tokens.accessToken;
      if (o?.forceRefresh || tokens.expiresAt - options.now() <= options.aheadMs)
        return (await refresh()).accessToken;
      return tokens.accessToken;
    },
    current: () => tokens,
    refreshes: () => count,
  };
}
