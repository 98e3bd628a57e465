import type { BenchSection } from '../harness.ts';
import { httpBaseline } from './http-baseline.ts';

/** Every bench section, in the order they run. A capability adds its file here. */
export const sections: BenchSection[] = [httpBaseline];
