import { readSamples, titleWords, type Samples } from '../../mirror.js';
import type { KnownIds } from './arbitraries.js';
import { pluckMirror, type MirrorLocation } from './engines.js';

const LIMIT = 30;

async function readPgSamples(location: MirrorLocation): Promise<Samples> {
  const ids = async (sql: string) =>
    (await pluckMirror(location, sql)).map(Number).filter((n) => Number.isSafeInteger(n));
  const titles = (await pluckMirror(
    location,
    'SELECT title FROM (SELECT title FROM bugs ORDER BY random() LIMIT 2000) b UNION ALL SELECT title FROM (SELECT title FROM tests ORDER BY random() LIMIT 500) t',
  )) as string[];
  return {
    productIds: await ids(`SELECT id FROM products ORDER BY id LIMIT ${LIMIT}`),
    testIds: await ids(`SELECT id FROM tests ORDER BY random() LIMIT ${LIMIT}`),
    bugIds: await ids(`SELECT id FROM bugs ORDER BY random() LIMIT ${LIMIT}`),
    featureIds: await ids(`SELECT id FROM features ORDER BY random() LIMIT ${LIMIT}`),
    userIds: await ids(`SELECT id FROM users ORDER BY random() LIMIT ${LIMIT}`),
    ...titleWords(titles),
  };
}

/** Ids and words of a synced mirror, for plausible inputs. */
export async function knownIds(location: MirrorLocation): Promise<KnownIds> {
  const s =
    location.engine === 'sqlite' ? readSamples(location.dbPath, LIMIT) : await readPgSamples(location);
  return { ...s, words: s.words.length ? s.words.slice(0, 30) : ['login'] };
}
