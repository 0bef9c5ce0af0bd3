import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConflictError, InvalidInputError } from '@testio-mcp/domain';

/**
 * Confirmation tokens of bug triage (ADR 0032): `tc1.<expiry>.<state>.<signature>`. The signature is an
 * HMAC-SHA256, under a key that never leaves the process, over the expiry, the state digest, the change
 * (action, bug ids, reason, comment) and the caller (principal id and tenant). The state digest is a
 * hash of the bugs' triage state at preview time: a token is refused when it was made for another
 * change, bug or caller (signature), when it is older than its lifetime (expiry), and when a bug changed
 * since the preview (state). The token carries nothing secret: an expiry and two digests.
 */

/** What a token is bound to, besides the bugs' state. */
export interface ConfirmationBinding {
  readonly action: string;
  readonly bugIds: readonly number[];
  readonly reason: string | null;
  readonly comment: string | null;
  /** The principal's public id (`local` on stdio and an open loopback server). */
  readonly actorId: string;
  readonly tenant: string;
}

const PREFIX = 'tc1';

/** A key for one process; tokens do not survive a restart (they live minutes). */
export function newConfirmationKey(): Buffer {
  return randomBytes(32);
}

/** A short digest of the bugs' triage state (one fingerprint per bug, in order). */
export function stateDigest(fingerprints: readonly string[]): string {
  return createHash('sha256').update(fingerprints.join('\n')).digest('base64url').slice(0, 16);
}

function sign(key: Buffer, expiry: string, state: string, binding: ConfirmationBinding): Buffer {
  const canonical = JSON.stringify([
    PREFIX,
    expiry,
    state,
    binding.action,
    binding.bugIds,
    binding.reason,
    binding.comment,
    binding.actorId,
    binding.tenant,
  ]);
  return createHmac('sha256', key).update(canonical).digest().subarray(0, 18);
}

export function issueConfirmationToken(
  key: Buffer,
  binding: ConfirmationBinding,
  state: string,
  expiresAt: Date,
): string {
  const expiry = Math.floor(expiresAt.getTime() / 1000).toString(36);
  return [PREFIX, expiry, state, sign(key, expiry, state, binding).toString('base64url')].join('.');
}

const NEXT_STEP =
  'Call again without confirmation_token to get a fresh preview and token, then confirm with it';

/**
 * Checks a token against the change and caller of this call; answers the state digest it was issued
 * for (the caller compares it with the bugs' state now). Throws the three-part error otherwise.
 */
export function checkConfirmationToken(
  key: Buffer,
  token: string,
  binding: ConfirmationBinding,
  now: Date,
): string {
  const parts = token.split('.');
  const [prefix, expiry = '', state = '', signature = ''] = parts;
  const valid =
    parts.length === 4 &&
    prefix === PREFIX &&
    /^[0-9a-z]{1,12}$/.test(expiry) &&
    /^[A-Za-z0-9_-]{16}$/.test(state) &&
    /^[A-Za-z0-9_-]{24}$/.test(signature);
  const expected = valid ? sign(key, expiry, state, binding) : undefined;
  const given = valid ? Buffer.from(signature, 'base64url') : undefined;
  if (!expected || !given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidInputError({
      field: 'confirmation_token',
      message: 'The confirmation_token does not match this request',
      reason:
        'A token confirms exactly one preview: the same action, bugs, reason and comment, asked by the same caller. This one was made for another change, another bug or another caller, or it is not a token of this server',
      hint: NEXT_STEP,
    });
  }
  if (parseInt(expiry, 36) * 1000 <= now.getTime()) {
    throw new InvalidInputError({
      field: 'confirmation_token',
      message: 'The confirmation_token has expired',
      reason:
        'A preview is confirmed within a few minutes, so what the person agreed to is still what happens',
      hint: NEXT_STEP,
    });
  }
  return state;
}

/** The bugs changed between the preview and the confirmation. */
export function stalePreviewError(bugIds: readonly number[]): ConflictError {
  const list = bugIds.length > 0 ? bugIds.join(', ') : 'of the request';
  return new ConflictError({
    message: `The preview is stale: bug ${list} changed since it was shown`,
    reason:
      'Someone (or something) changed the bug in TestIO after the preview, so the confirmed change may no longer be what was agreed',
    hint: NEXT_STEP,
  });
}
