import type { BrokenLinkTypes } from './link.js';

/** What the operation files share: the store folder and the backend's settings. */
export interface LocalContext {
  /** Absolute path of the store folder. */
  readonly root: string;
  readonly fsync: boolean;
  /** Link types seen to fail per device, so they are not tried again. */
  readonly brokenLinkTypes: BrokenLinkTypes;
}

export const KIND = 'local';
