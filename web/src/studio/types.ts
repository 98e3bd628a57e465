import type { paths } from '../api/schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Job = Json<paths['/api/v1/studio/jobs/{id}']['get']['responses'][200]>;
export type JobStatus = Job['status'];
export type JobKind = Job['kind'];
export type Asset = Json<paths['/api/v1/media/{id}']['get']['responses'][200]>;
export type Caption = Json<paths['/api/v1/captions']['get']['responses'][200]>['items'][number];
export type StudioView = Json<paths['/api/v1/personas/{id}/studio']['get']['responses'][200]>;
export type StudioSettings = StudioView['settings'];
export type StudioSettingsInput = NonNullable<paths['/api/v1/personas/{id}/studio']['put']['requestBody']>['content']['application/json'];
export type GenerationRequest = NonNullable<paths['/api/v1/studio/jobs']['post']['requestBody']>['content']['application/json'];
export type MediaQuery = NonNullable<paths['/api/v1/media']['get']['parameters']['query']>;

export type Rating = Asset['rating'];
export type AssetStatus = Asset['status'];
export type AssetKind = Asset['kind'];

/** Where captions can be written for; the order is the order of the checkboxes. */
export const platforms = ['instagram', 'x', 'reddit', 'bluesky', 'fanvue', 'telegram', 'discord', 'onlyfans'] as const;
export type Platform = (typeof platforms)[number];

export const jobKinds = ['image', 'video', 'montage', 'caption', 'voice'] as const satisfies readonly JobKind[];
export const activeStatuses: readonly JobStatus[] = ['queued', 'running'];
export const isActive = (job: Pick<Job, 'status'>) => activeStatuses.includes(job.status);

/** One failing node of a ComfyUI workflow, as the server reports it in `error.details`. */
export interface NodeError {
  node: string | null;
  classType?: string;
  type?: string;
  message: string;
  details?: string;
  inputName?: string;
}

export function nodeErrors(details: unknown): NodeError[] {
  if (!Array.isArray(details)) return [];
  return details.filter((d): d is NodeError => !!d && typeof d === 'object' && typeof (d as NodeError).message === 'string');
}
