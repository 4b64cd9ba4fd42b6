/**
 * The S3 client's retries: up to `maxAttempts` for every transient error (a reset, a timeout, a
 * 5xx, throttling), with exponential backoff and full jitter, and no retry quota.
 *
 * The SDK's standard strategy keeps one quota per client (500 tokens, 5 a retry, 1 back a
 * success): a circuit breaker for a service in a brownout. Through a link that drops one request
 * in ten, a 2,000-file folder drains it, and from then on the first reset of a request fails it
 * with a raw ECONNRESET although attempts are left (seen in the fault test at 10% resets). trove
 * runs batches that must finish: every request gets its attempts, and the backoff spaces them.
 */

interface Token {
  getRetryCount(): number;
  getRetryDelay(): number;
  getRetryCost(): number | undefined;
}

const BASE_DELAY_MS = 100;
const THROTTLING_BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 20_000;

function token(retries: number, delay: number): Token {
  return {
    getRetryCount: () => retries,
    getRetryDelay: () => delay,
    getRetryCost: () => undefined,
  };
}

export function retryStrategy(maxAttempts: number) {
  return {
    mode: 'standard',
    async acquireInitialRetryToken(_scope: string): Promise<Token> {
      return token(0, 0);
    },
    async refreshRetryTokenForRetry(
      previous: Token,
      info: { errorType: string; retryAfterHint?: Date },
    ): Promise<Token> {
      const retries = previous.getRetryCount() + 1;
      const retryable = info.errorType === 'TRANSIENT' || info.errorType === 'THROTTLING';
      if (!retryable || retries >= maxAttempts) throw new Error('No retry token available');
      const base = info.errorType === 'THROTTLING' ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
      let delay = Math.random() * Math.min(MAX_DELAY_MS, base * 2 ** retries);
      if (info.retryAfterHint instanceof Date) {
        delay = Math.max(delay, Math.min(info.retryAfterHint.getTime() - Date.now(), MAX_DELAY_MS));
      }
      // The SDK's retry middleware waits this long, and stops waiting when the call is aborted.
      return token(retries, delay);
    },
    recordSuccess(_token: Token): void {},
  };
}
