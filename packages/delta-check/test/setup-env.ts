// The test process talks to moto with the SDK's default credential chain: give it moto's test
// credentials and region (a setup file, as vitest.config cannot load TypeScript packages).
import { MOTO_ENV } from '@trove/test-utils/moto';

Object.assign(process.env, MOTO_ENV);
