/**
 * Secret redaction and excerpting for text that may end up in an error message or a log line.
 * Upstream bodies are untrusted: they are only ever shown as a short, sanitised excerpt.
 */

export const REDACTED = '[REDACTED]';

const AUTH_HEADER_PATTERN = /\b(authorization["']?\s*[:=]\s*["']?)(token|bearer)\s+[^\s"',;]+/gi;

/** Replaces every occurrence of the given secrets and any `Authorization: Token …` / `Bearer …` credential with `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  return out.replace(
    AUTH_HEADER_PATTERN,
    (_match, header: string, scheme: string) => `${header}${scheme} ${REDACTED}`,
  );
}

/**
 * A one-line excerpt of untrusted text: control characters removed, whitespace collapsed, secrets
 * redacted and the result cut to `maxLength` characters (an ellipsis marks the cut).
 */
export function sanitizeExcerpt(text: string, maxLength = 80, secrets: readonly string[] = []): string {
  const flat = redactSecrets(text, secrets)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > maxLength ? `${flat.slice(0, Math.max(0, maxLength - 1))}…` : flat;
}
