import { readSamples } from '../../mirror.js';
import type { KnownIds } from './arbitraries.js';

/** Ids and words of a synced mirror, for plausible inputs. */
export function knownIds(dbPath: string): KnownIds {
  const s = readSamples(dbPath, 30);
  return { ...s, words: s.words.length ? s.words.slice(0, 30) : ['login'] };
}
