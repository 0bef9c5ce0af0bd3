/**
 * What the pre-commit hook (.githooks/pre-commit -> tools/workspace-checks/scripts/pre-commit.mjs) checks,
 * by staged file. Every check reads the staged content and writes nothing; see staged-checks.mjs.
 */
const CHECK = 'node tools/workspace-checks/scripts/staged-checks.mjs';

export default {
  '*.{ts,mts,cts,tsx,js,mjs,cjs,jsx}': `${CHECK} eslint`,
  '*.{ts,mts,cts,tsx}': `${CHECK} typecheck`,
  '*.{ts,mts,cts,tsx,js,mjs,cjs,jsx,json,md,yml,yaml,css,html}': `${CHECK} prettier`,
  '*': `${CHECK} secretlint`,
};
