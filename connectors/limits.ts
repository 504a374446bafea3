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
}

export interface WindowLimit {
  /** Calls allowed per window. */
  max: number;
  windowMs: number;
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
 * under it at the vendor (requests take varying time on the wire).
 */
const SAFETY_MS = 60;

/**
 * In-memory sliding-window budget. `limits` names each kind of call; a call of kind `k` counts
 * against `limits[k]` and against `limits.default` (HubSpot's search has its own 5/s and also
 * counts towards the 110 per 10 s).
 */
export function createWindowBudget(
  limits: Record<string, WindowLimit> & { default: WindowLimit },
  clock: Clock = realClock,
): RequestBudget {
  const log = new Map<string, number[]>();
  const waitFor = (kind: string, t: number): number => {
    const limit = limits[kind];
    if (!limit) return 0;
    const times = log.get(kind) ?? [];
    while (times.length > 0 && (times[0] ?? 0) <= t - limit.windowMs - SAFETY_MS) times.shift();
    log.set(kind, times);
    return times.length < limit.max ? 0 : (times[0] ?? t) + limit.windowMs + SAFETY_MS - t;
  };
  let chain = Promise.resolve();
  return {
    acquire(kind) {
      // Serialised, so two callers never take the same free slot.
      const turn = chain.then(async () => {
        for (;;) {
          const t = clock.now();
          const wait = Math.max(waitFor("default", t), kind === "default" ? 0 : waitFor(kind, t));
          if (wait <= 0) break;
          await clock.sleep(wait);
        }
        const t = clock.now();
        for (const k of kind === "default" ? ["default"] : ["default", kind]) {
          if (!limits[k]) continue;
          const times = log.get(k);
          if (times) times.push(t);
          else log.set(k, [t]);
        }
      });
      chain = turn.catch(() => undefined);
      return turn;
    },
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
