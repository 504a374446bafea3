// The one rate-limit and retry layer every connector calls through: a per-connection request budget
// (sliding windows, one per kind of call), p-queue pacing inside one invocation, and retries that
// honour Retry-After and otherwise back off exponentially with full jitter.
import PQueue from "p-queue";
import { ConnectorError } from "./errors.ts";

/**
 * A connection's request budget. `acquire` resolves when one more call of `kind` may start and
 * counts it. The Worker backs this with the connection's Durable Object, so the limit holds across
 * concurrent invocations; tests and the CLI use `createWindowBudget`.
 */
export interface RequestBudget {
  acquire(kind: string): Promise<void>;
  /**
   * The vendor's own count of the org's calls in its rolling window, as an answer reported it
   * (Salesforce's `Sforce-Limit-Info: api-usage=used/max`). A budget with an allowance learns the
   * allocation from it; others ignore it.
   */
  observe?(usage: { used: number; max: number }): void | Promise<void>;
}

/**
 * A share of a vendor allocation every integration of the customer draws on (Salesforce's daily API
 * requests): Ebb spends at most `share` of the allocation's `max` within any `windowMs`.
 */
export interface AllowanceRule {
  share: number;
  windowMs: number;
}

/** What an allowance holds: Ebb's calls in buckets, and the allocation as last reported. Plain JSON. */
export interface AllowanceState {
  /** Bucket start (ms) → Ebb's calls in it. */
  buckets: Record<string, number>;
  /** The allocation's size, once an answer has reported it. */
  max?: number;
  /** The org's usage as last reported (every integration's). */
  used?: number;
  /** When the whole allocation was spent (the vendor refused): nothing before `until`. */
  until?: number;
}

export interface Allowance {
  /** Book one call at `now`, or say how long to wait: Ebb's share is spent until then. */
  take(
    now: number,
  ): { ok: true } | { ok: false; retryAfterMs: number; spent: number; share: number };
  observe(usage: { used: number; max: number }): void;
  /** Ebb's calls in the window, and its share of the allocation (undefined until one is reported). */
  usage(now: number): { calls: number; allowed?: number; orgUsed?: number; max?: number };
  state(): AllowanceState;
}

/**
 * Ebb's share of an allocation over a rolling window, counted in 1/24-window buckets (an hour for a
 * day): small enough to keep in a Durable Object's storage after every call, exact to the bucket.
 * Until the vendor has reported the allocation's size nothing is refused (the first answer tells).
 */
export function createAllowance(rule: AllowanceRule, initial?: AllowanceState): Allowance {
  const bucketMs = Math.max(1, Math.floor(rule.windowMs / 24));
  const s: AllowanceState = initial
    ? { ...initial, buckets: { ...initial.buckets } }
    : { buckets: {} };
  const prune = (now: number) => {
    for (const k of Object.keys(s.buckets))
      if (Number(k) + bucketMs <= now - rule.windowMs) delete s.buckets[k];
  };
  const calls = () => Object.values(s.buckets).reduce((a, b) => a + b, 0);
  const allowed = () => (s.max === undefined ? undefined : Math.floor(s.max * rule.share));
  return {
    take(now) {
      prune(now);
      const limit = allowed();
      const spent = calls();
      if (limit !== undefined && spent >= limit) {
        // The oldest bucket leaves the window first: then calls are possible again.
        const oldest = Math.min(...Object.keys(s.buckets).map(Number));
        const retryAfterMs = Math.max(1000, oldest + bucketMs + rule.windowMs - now);
        return { ok: false, retryAfterMs, spent, share: rule.share };
      }
      const k = String(Math.floor(now / bucketMs) * bucketMs);
      s.buckets[k] = (s.buckets[k] ?? 0) + 1;
      return { ok: true };
    },
    observe(usage) {
      s.max = usage.max;
      s.used = usage.used;
    },
    usage(now) {
      prune(now);
      const limit = allowed();
      return {
        calls: calls(),
        ...(limit === undefined ? {} : { allowed: limit }),
        ...(s.used === undefined ? {} : { orgUsed: s.used }),
        ...(s.max === undefined ? {} : { max: s.max }),
      };
    },
    state: () => s,
  };
}

/** The error a spent allowance raises: the job pauses and resumes from its cursor. */
export function allowanceSpent(r: {
  retryAfterMs: number;
  spent: number;
  share: number;
}): ConnectorError {
  return new ConnectorError(
    "paused",
    `Ebb has made ${r.spent} calls, its ${Math.round(r.share * 100)}% share of the daily API allocation; it resumes in ${Math.ceil(r.retryAfterMs / 60_000)} min`,
    { retryAfterMs: r.retryAfterMs },
  );
}

export interface WindowLimit {
  /** Calls allowed per window. */
  max: number;
  windowMs: number;
  /** Counted only against this limit, not also against `default` (an endpoint with its own). */
  exempt?: boolean;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Margin added to every window, so that calls leaving here exactly at the limit still arrive
 * under it at the vendor (requests take varying time on the wire, and a call booked first can leave
 * late while its invocation is busy: two lanes of a pull share one event loop). 60 ms let 2 of
 * 1,675 calls of the two-lane bench arrive over HubSpot's 5 searches per second.
 */
const SAFETY_MS = 200;

/**
 * Sliding-window slot planning: `reserve(kind, now)` books the earliest start time at which one
 * more call of `kind` keeps every window under its limit, and returns how long to wait for it.
 * `limits` names each kind of call; a call of kind `k` counts against `limits[k]` and against
 * `limits.default`, unless `limits[k]` is `exempt` (HubSpot's search and association batches have
 * their own limits and are not counted in the 110 per 10 s).
 * Booking ahead, rather than checking and sleeping, lets one planner serve many callers at once:
 * the ConnectionGate object holds one for every invocation of a connection.
 */
export function createSlotPlanner(limits: Record<string, WindowLimit> & { default: WindowLimit }): {
  reserve(kind: string, now: number): number;
} {
  const log = new Map<string, number[]>();
  return {
    reserve(kind, now) {
      const own = limits[kind];
      const kinds =
        kind === "default" || !own ? ["default"] : own.exempt ? [kind] : ["default", kind];
      let t = now;
      for (const k of kinds) {
        const limit = limits[k] as WindowLimit;
        const times = log.get(k) ?? [];
        while (times.length > 0 && (times[0] ?? 0) <= now - limit.windowMs - SAFETY_MS)
          times.shift();
        log.set(k, times);
        // Times are booked in order, so the call `max` places back decides when a slot frees.
        const last = times[times.length - 1];
        if (last !== undefined) t = Math.max(t, last);
        const gate = times[times.length - limit.max];
        if (times.length >= limit.max && gate !== undefined)
          t = Math.max(t, gate + limit.windowMs + SAFETY_MS);
      }
      for (const k of kinds) log.get(k)?.push(t);
      return t - now;
    },
  };
}

/** In-memory request budget over `createSlotPlanner`, for one process (tests and the CLI). */
export function createWindowBudget(
  limits: Record<string, WindowLimit> & { default: WindowLimit },
  clock: Clock = realClock,
  /** A share of the vendor's allocation, as the connection gate keeps it. */
  allowance?: Allowance,
): RequestBudget {
  const planner = createSlotPlanner(limits);
  return {
    async acquire(kind) {
      if (allowance) {
        const r = allowance.take(clock.now());
        if (!r.ok) throw allowanceSpent(r);
      }
      const wait = planner.reserve(kind, clock.now());
      if (wait > 0) await clock.sleep(wait);
    },
    observe: (usage) => allowance?.observe(usage),
  };
}

export interface RetryOptions {
  /** Attempts after the first (default 6). */
  retries?: number;
  /** First backoff step in ms (default 250); doubles each attempt, capped at `maxDelayMs`. */
  baseDelayMs?: number;
  /** Longest wait between attempts (default 30,000 ms). */
  maxDelayMs?: number;
  clock?: Clock;
  /** 0..1 source for jitter (default Math.random), injectable for tests. */
  random?: () => number;
  /** Called before each retry: for logs and tests. */
  onRetry?: (error: ConnectorError, attempt: number, delayMs: number) => void;
}

/** Run `call`, retrying retryable ConnectorErrors; anything else is thrown at once. */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 6;
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 30_000;
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!(e instanceof ConnectorError) || !e.retryable || attempt >= retries) throw e;
      // The vendor's Retry-After wins; otherwise full jitter over an exponential step.
      const delay = e.retryAfterMs ?? Math.round(random() * Math.min(cap, base * 2 ** attempt));
      options.onRetry?.(e, attempt + 1, delay);
      await clock.sleep(delay);
    }
  }
}

export interface Pacer {
  /** Run one vendor call of `kind` within the budget, with retries. */
  run<T>(kind: string, call: () => Promise<T>): Promise<T>;
  /** Resolves when every queued call has finished. */
  idle(): Promise<void>;
}

/** p-queue for concurrency inside this invocation, the budget across invocations, retries around both. */
export function createPacer(
  budget: RequestBudget,
  options: RetryOptions & { concurrency?: number } = {},
): Pacer {
  const queue = new PQueue({ concurrency: options.concurrency ?? 4 });
  return {
    run<T>(kind: string, call: () => Promise<T>) {
      return withRetry(async () => {
        const result = await queue.add(async () => {
          await budget.acquire(kind);
          return call();
        });
        return result as T;
      }, options);
    },
    idle: () => queue.onIdle(),
  };
}
