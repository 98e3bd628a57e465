/** Safety: the prompt gate (text) and the image rater (nsfwjs). */
export {
  checkPrompt,
  normalizeForGate,
  MINOR_SEXUAL_MESSAGE,
  REAL_PERSON_MESSAGE,
  type PromptCheckOptions,
  type PromptCheckResult,
  type PromptRefusalReason,
} from './prompt-gate.ts';
export {
  createNsfwRater,
  loadNsfwModel,
  ratingFromScores,
  ratingThresholdsFromEnv,
  DEFAULT_RATING_THRESHOLDS,
  EXPLICIT_LEANING_FLOOR,
  NSFW_CLASSES,
  type LoadedNsfwModel,
  type NsfwRater,
  type NsfwRaterOptions,
  type RatingThresholds,
} from './rating.ts';
export { benchRating } from './rating-bench.ts';
export { ratings, worstRating, type Rater, type Rating, type RatingResult } from './types.ts';
