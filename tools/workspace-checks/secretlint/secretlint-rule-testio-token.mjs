/**
 * A secretlint rule for the credentials of this product, which the recommended preset cannot know:
 * TestIO Customer API tokens are arbitrary strings sent as `Authorization: Token <token>`, so only their
 * context gives them away. It reports
 *
 * - a value given to `TESTIO_CUSTOMER_API_TOKEN` or `TESTIO_API_KEYS` (`.env` files, shell `export`,
 *   YAML, JSON, code), and
 * - the credential of an `Authorization: Token <value>` header (curl commands, HTTP examples),
 *
 * when the value looks like a real credential: 16 characters or more, letters and digits, and not a
 * placeholder (`<your token>`, `${TOKEN}`, `sandbox-token`, `your-token-here`) or an identifier in code.
 *
 * Tests and their fixtures (`*.test.*`, `__fixtures__/`) are not judged by this rule: they hand made-up
 * tokens to the sandbox and to fakes on purpose, and a value alone cannot tell those from real ones. The
 * recommended preset, which knows real credential formats, still scans them.
 * Referenced from `.secretlintrc.json` as `@testio-mcp/workspace-checks/secretlint-rule-testio-token`.
 */

// secretlint masks every message property as a secret, so only the value goes into one.
const ADVICE = 'keep it in an untracked .env file or the environment, never in git';
export const messages = {
  TestioApiToken: {
    en: (props) => `found a TestIO API token in TESTIO_CUSTOMER_API_TOKEN: ${props.VALUE}; ${ADVICE}`,
  },
  TestioRestApiKey: { en: (props) => `found a REST API key in TESTIO_API_KEYS: ${props.VALUE}; ${ADVICE}` },
  TestioAuthorizationHeader: {
    en: (props) => `found a TestIO token in an "Authorization: Token" header: ${props.VALUE}; ${ADVICE}`,
  },
};

const MESSAGE_OF = { TESTIO_CUSTOMER_API_TOKEN: 'TestioApiToken', TESTIO_API_KEYS: 'TestioRestApiKey' };

const END = String.raw`(?=$|[\s"'\`,;#)}\]])`;
const VARIABLE = new RegExp(
  String.raw`\b(TESTIO_CUSTOMER_API_TOKEN|TESTIO_API_KEYS)\b["']?[ \t]*(?::|=|=>)[ \t]*["'\`]?([\w.~+/=,-]+)` +
    END,
  'gm',
);
const HEADER = new RegExp(
  String.raw`\bAuthorization["']?[ \t]*[:=,]?[ \t]*["'\`]?Token[ \t]+([\w.~+/=-]+)` + END,
  'gim',
);
const PLACEHOLDER =
  /your|example|placeholder|change-?me|dummy|redacted|sandbox|secret|xxxx|\.\.\.|\*\*|[<>{}$%]/i;

/** Whether `value` could be a live credential rather than a placeholder, a variable or prose. */
export function looksLikeCredential(value) {
  if (value.length < 16 || PLACEHOLDER.test(value)) return false;
  return /[A-Za-z]/.test(value) && /\d/.test(value);
}

const TEST_FILE = /(\.test\.[cm]?[jt]sx?$|(^|[\\/])__fixtures__[\\/])/;

function mask(value) {
  return `${value.slice(0, 4)}${'*'.repeat(Math.max(0, value.length - 4))}`;
}

export const creator = {
  messages,
  meta: {
    id: '@testio-mcp/secretlint-rule-testio-token',
    recommended: true,
    type: 'scanner',
    supportedContentTypes: ['text'],
  },
  create(context) {
    const t = context.createTranslator(messages);
    const report = (messageId, value, start) => {
      context.report({ message: t(messageId, { VALUE: mask(value) }), range: [start, start + value.length] });
    };
    return {
      file(source) {
        if (source.filePath && TEST_FILE.test(source.filePath)) return;
        const text = source.content;
        for (const match of text.matchAll(VARIABLE)) {
          const [, name, raw] = match;
          // TESTIO_API_KEYS holds a comma-separated list: judge every key on its own.
          let offset = match.index + match[0].length - raw.length;
          for (const part of raw.split(',')) {
            if (looksLikeCredential(part)) report(MESSAGE_OF[name], part, offset);
            offset += part.length + 1;
          }
        }
        for (const match of text.matchAll(HEADER)) {
          const value = match[1];
          if (looksLikeCredential(value))
            report('TestioAuthorizationHeader', value, match.index + match[0].length - value.length);
        }
      },
    };
  },
};
