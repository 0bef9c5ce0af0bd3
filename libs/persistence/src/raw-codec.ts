/**
 * The stored form of the `raw` payloads of bugs, tests and a test's features and platforms on SQLite
 * (`bugs.raw`, `tests.raw`, `test_features.raw`, `test_platforms.raw`; ADR 0039).
 *
 * A payload is written as a BLOB: one format byte, then the compact JSON text (`raw-payloads.ts`,
 * secrets stripped) compressed with raw DEFLATE and a preset dictionary of the API's keys and common
 * values. A payload is a few hundred bytes, too short for DEFLATE to find much to repeat within
 * itself; the dictionary supplies the keys every payload shares (a bug's 660 bytes become ~110).
 *
 * Rows written before the change hold the JSON text itself; `decodeRaw` reads both forms, so a mirror
 * never needs a rewrite, and a row is stored compressed the next time the sync writes it.
 *
 * The dictionary and the format byte are part of the file format: never edit `RAW_DICTIONARY_V1`; a
 * better dictionary is a new format byte (and a new entry in `DICTIONARIES`), the old one stays readable.
 * The output is deterministic for a given zlib, which the stores rely on to skip unchanged rows
 * (`WHERE raw IS NOT excluded.raw`); a Node upgrade that changes zlib's output rewrites each row once.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const FORMAT_DEFLATE_V1 = 1;

/**
 * Keys and values shared by the compact bug and test payloads, most frequent last (DEFLATE reaches
 * the end of its dictionary with the shortest distances).
 */
const RAW_DICTIONARY_V1 = Buffer.from(
  [
    '{"id":,"category":{"id":2,"key":"smartphone","name":"Smartphones"},"vendor":{"id":11,"name":"Apple"},',
    '"devices":[{"id":,"name":"iPhone 15 Pro"}],"operating_system":{"id":4,"key":"ios","name":"iOS"},',
    '"min_operating_system_version":null,"max_operating_system_version":null,"browsers":[{"id":2,"key":',
    '"chrome","name":"Chrome"},{"id":4,"key":"safari","name":"Safari"}],"input_devices":[],',
    '"browser_based":true,"gaming":false}',
    '{"id":,"feature_id":,"description":null,"location":null,"howtofind":null,"target_idx":null,',
    '"enable_default":true,"enable_content":false,"enable_visual":true,"custom_report_configurations":[],',
    '"$columns":9}',
    '"test_environment":{"id":,"title":"Production","url":"https://www.example.com/","proxy":false,',
    '"allow_orders":false,"access_type":"url","environment_test_information":null,"binary_app":null},',
    '"goal":"**Find functional bugs in ","goal_text":"Find functional bugs in ","out_of_scope":"**',
    '","out_of_scope_text":"","instructions":"**Use the  environment.** Report each issue once.",',
    '"instructions_text":"Use the  environment. Report each issue once.","report_language":"en",',
    '"section":{"id":,"name":"default-section","connection":null,"test_templates":{"total":,"count":}},',
    '"enable_low":true,"enable_high":true,"enable_critical":true,"allow_device_clouds_test_scenario":false,',
    '"created_by":"","submitted_by":"","start_at":"2025-","end_at":"2025-',
    '"allowed_bug_types":["default","content","visual"],"reviews":[],"review_status":null,"demo":false}',
    '{"id":,"title":"","test_title":"","status":"archived","testing_type":"rapid","coverage","focused",',
    '"features":[{"id":}],"requirements":"$test_platforms","thumbnail_urls":{"50x50":"https://api.test.io/',
    'assets/filethumb-fallback-1.png","content_type":"application/pdf","original_filename":"',
    '"reviewed_at":"","test_environment_comment":null,"instruction_comment":null,"feature_comment":null,',
    '"bug_type_comment":null,"status":"successful"}],"review_status":"review_successful",',
    '"devices":{"name":"iOS device"},"operating_system":{"id":4,"name":"iOS"},"browsers":[{"name":"Chrome"},',
    '{"name":"Safari"},{"name":"Firefox"}]}],"category":{"name":"Computers"},"vendor":{"name":"Apple"},',
    '"severity":"high","low","visual","content","custom","status":"rejected","forwarded","rejection_reason":"',
    '{"id":,"severity":"critical","status":"accepted","auto_accepted":false,"known":false,"language":"en",',
    '"reported_at":"2025-05-13T05:18:39+00:00","exported_at":null,"author":{"name":""},"test":{"id":},',
    '"test_feature":{"id":,"feature_id":},"feature":{"id":},"product":{"id":},"comments":[{"id":,"body":"',
    'Reproduced on a second device as well.","author":{"name":""}}],',
    '"devices":[{"id":,"category":{"name":"Smartphones"},"vendor":{"name":"Generic"},',
    '"devices":{"name":"Android device"},"operating_system":{"id":3,"name":"Android"},"browsers":[]}],',
    '"attachments":[{"id":,"url":"https://upload.test.io/attachements/-1.png"}],"$columns":31}',
  ].join(''),
  'utf8',
);

const DICTIONARIES: Readonly<Record<number, Buffer>> = { [FORMAT_DEFLATE_V1]: RAW_DICTIONARY_V1 };

/** The stored BLOB of a payload's JSON text (already compact and stripped of secrets). */
export function encodeRaw(json: string): Buffer {
  // A 4 KB window and a small memLevel: the payloads are short, and zlib's set-up of its default
  // 32 KB window and 128 KB hash dominated the time of a call (about 2x slower, same size).
  const body = deflateRawSync(Buffer.from(json, 'utf8'), {
    level: 6,
    windowBits: 12,
    memLevel: 5,
    dictionary: RAW_DICTIONARY_V1,
  });
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = FORMAT_DEFLATE_V1;
  body.copy(out, 1);
  return out;
}

/**
 * The JSON text of a stored `raw` value: a BLOB written by `encodeRaw`, or the JSON text of a row
 * written before compression. Throws on a BLOB of an unknown format (a file written by a newer version).
 */
export function decodeRawText(stored: unknown): string {
  if (typeof stored === 'string') return stored;
  if (stored instanceof Uint8Array) {
    const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    const dictionary = DICTIONARIES[bytes[0] ?? -1];
    if (!dictionary) {
      throw new Error(
        `A stored raw payload has the unknown format ${bytes[0] ?? 'empty'}: the mirror was written by a newer ` +
          'version of testio-mcp, whose payload formats this version cannot read. Upgrade testio-mcp, or run ' +
          '`testio-mcp sync --force` to rewrite the mirror with this version.',
      );
    }
    return inflateRawSync(bytes.subarray(1), { dictionary }).toString('utf8');
  }
  throw new Error(
    `A stored raw payload is a ${stored === null ? 'null' : typeof stored}, not JSON text or a compressed BLOB: ` +
      'the row was not written by the stores. Run `testio-mcp sync --force` to rewrite the mirror.',
  );
}

/** The payload of a stored `raw` value (see `decodeRawText`), parsed. */
export function decodeRaw(stored: unknown): unknown {
  return JSON.parse(decodeRawText(stored)) as unknown;
}
