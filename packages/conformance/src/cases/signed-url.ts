import { expect } from 'vitest';
import { type CaseSuite, whenCapable } from '../context.js';

export function signedUrlCases(suite: CaseSuite): void {
  whenCapable(suite, 'signedUrl', 'signedUrl', () => {
    suite.test(
      'a GET signed URL serves the object without credentials',
      async ({ backend, key }) => {
        const k = key('signed/obj.txt');
        await backend.write(k, 'signed content');
        const url = await backend.signedUrl?.(k, { method: 'GET', expiresIn: 300 });
        expect(url).toBeInstanceOf(URL);
        const response = await fetch(url as URL);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('signed content');
      },
    );
  });
}
