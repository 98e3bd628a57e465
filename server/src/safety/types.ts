/** Content ratings, from safest to most restricted. Channels accept some of them (see publishing). */
export const ratings = ['sfw', 'suggestive', 'explicit'] as const;
export type Rating = (typeof ratings)[number];

export interface RatingResult {
  rating: Rating;
  /** Raw class scores of the model (nsfwjs: Drawing, Hentai, Neutral, Porn, Sexy), 0..1. */
  scores: Record<string, number>;
  /** Which model and thresholds decided, for the asset's record. */
  method: string;
}

/** Rates one still image (JPEG/PNG/WebP bytes). Video is rated through sampled frames. */
export interface Rater {
  rate(image: Buffer): Promise<RatingResult>;
}

/** Worst of several ratings (a clip is as restricted as its most restricted frame). */
export function worstRating(results: Rating[]): Rating {
  return results.reduce<Rating>((worst, r) => (ratings.indexOf(r) > ratings.indexOf(worst) ? r : worst), 'sfw');
}
