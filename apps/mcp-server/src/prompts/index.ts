import analyzeProductQuality from './analyze-product-quality.js';
import type { PromptDefinition } from './define-prompt.js';
import prepMeeting from './prep-meeting.js';

/** Every prompt, in `prompts/list` order. */
export const PROMPTS: readonly PromptDefinition[] = [analyzeProductQuality, prepMeeting];
