import type { StudioSettings } from './types';

export interface SectionProps {
  value: StudioSettings;
  set: (patch: Partial<StudioSettings>) => void;
  /** Server validation errors by field path, e.g. `dailyPlan.localTime`. */
  errors: Record<string, string>;
  readOnly: boolean;
}
