import { describe, expect, it } from 'vitest';
import { retryStrategy } from './retry.js';

describe('the S3 client retry strategy', () => {
  it('gives every request its attempts however many others failed before (no quota)', async () => {
    const strategy = retryStrategy(5);
    // The SDK's standard strategy refuses a retry after ~100 retries with no success between
    // (500 tokens, 5 a retry): 2,000 requests meeting resets at once drained it.
    for (let request = 0; request < 2_000; request++) {
      let t = await strategy.acquireInitialRetryToken('s3');
      for (let retry = 1; retry <= 4; retry++) {
        t = await strategy.refreshRetryTokenForRetry(t, { errorType: 'TRANSIENT' });
        expect(t.getRetryCount()).toBe(retry);
      }
      await expect(
        strategy.refreshRetryTokenForRetry(t, { errorType: 'TRANSIENT' }),
      ).rejects.toThrow('No retry token available');
    }
  });

  it('retries throttling, never a client error', async () => {
    const strategy = retryStrategy(5);
    const t = await strategy.acquireInitialRetryToken('s3');
    expect(
      (await strategy.refreshRetryTokenForRetry(t, { errorType: 'THROTTLING' })).getRetryCount(),
    ).toBe(1);
    await expect(
      strategy.refreshRetryTokenForRetry(t, { errorType: 'CLIENT_ERROR' }),
    ).rejects.toThrow();
    await expect(
      strategy.refreshRetryTokenForRetry(t, { errorType: 'SERVER_ERROR' }),
    ).rejects.toThrow();
  });
});
