import type { Persona } from '../personas/queries';
import type { GenerationRequest, Platform, StudioSettings } from './types';

/** Starting values a quick start puts in a form; every form reads the fields it has. */
export interface Draft {
  prompt?: string;
  count?: number;
  durationSeconds?: number;
  captionPlatforms?: Platform[];
  brief?: string;
  text?: string;
  tags?: string;
}

export interface KindFormProps {
  persona: Persona;
  studio: StudioSettings | undefined;
  draft: Draft;
  onSubmit: (body: GenerationRequest) => void;
  pending: boolean;
  /** Server validation errors by field path (without `body.`). */
  errors: Record<string, string>;
}
