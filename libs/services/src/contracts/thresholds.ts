import { z } from 'zod';

/** Thresholds and health vocabulary shared by the analytics contracts. */

export const thresholdSchema = z
  .object({
    warning: z.number().describe('Warning level, a fraction 0-1.'),
    critical: z.number().describe('Critical level, a fraction 0-1.'),
    direction: z
      .enum(['above', 'below'])
      .describe(
        'above: the rate is worse the higher it is (at or above a level = that status); below: worse the lower it is.',
      ),
  })
  .describe('One playbook threshold.');

export const thresholdsSchema = z
  .object({
    rejection_rate: thresholdSchema.describe(
      'Rejected / all bugs (default warning 0.20, critical 0.35, above).',
    ),
    auto_acceptance_rate: thresholdSchema.describe(
      'Auto-accepted / accepted bugs (default warning 0.20, critical 0.40, above).',
    ),
    review_rate: thresholdSchema.describe(
      'Human-reviewed (accepted + rejected) / all bugs (default warning 0.80, critical 0.60, below).',
    ),
  })
  .describe('The playbook thresholds this server is configured with (PLAYBOOK_* settings).');
export type ThresholdsOutput = z.infer<typeof thresholdsSchema>;

const HEALTH = ['healthy', 'warning', 'critical', 'unknown'] as const;
export const healthSchema = (what: string) =>
  z.enum(HEALTH).describe(`${what}: healthy, warning, critical, or unknown when the rate is null (no bugs).`);

// ---------------------------------------------------------------------------------------------------
// thresholds (REST GET /api/thresholds)
// ---------------------------------------------------------------------------------------------------

export const getThresholdsInputSchema = z.object({});
export const getThresholdsOutputSchema = thresholdsSchema;
export type GetThresholdsOutput = ThresholdsOutput;
