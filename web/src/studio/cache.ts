import type { QueryClient } from '@tanstack/react-query';
import { isActive, type Job } from './types';

/**
 * How live events reach the TanStack Query cache. Query keys are the same the hooks build with
 * useOrgKey: ['org', orgId, 'studio-jobs', personaId], ['org', orgId, 'media', …], …
 */
export interface LiveEvent {
  type: string;
  orgId: string;
  personaId?: string;
  data: unknown;
  at: string;
}

interface Progress {
  jobId: string;
  progress: number;
  message: string | null;
}

const jobsPrefix = (orgId: string) => ['org', orgId, 'studio-jobs'];

function patchJob(qc: QueryClient, orgId: string, jobId: string, patch: (job: Job) => Job): boolean {
  let found = false;
  qc.setQueriesData<Job[]>({ queryKey: jobsPrefix(orgId) }, (old) =>
    old?.map((job) => {
      if (job.id !== jobId) return job;
      found = true;
      return patch(job);
    }),
  );
  return found;
}

/** A job reached an end: what it made (or stopped making) shows in the library. */
export function refreshResults(qc: QueryClient, orgId: string) {
  void qc.invalidateQueries({ queryKey: ['org', orgId, 'media'] });
  void qc.invalidateQueries({ queryKey: ['org', orgId, 'captions'] });
}

export function applyLiveEvent(qc: QueryClient, orgId: string, event: LiveEvent) {
  if (event.orgId !== orgId) return;
  switch (event.type) {
    case 'generation.progress': {
      const p = event.data as Progress;
      // A late progress event must not move a finished job backwards.
      patchJob(qc, orgId, p.jobId, (job) =>
        isActive(job) ? { ...job, status: 'running', progress: Math.max(job.progress, p.progress), progressMessage: p.message } : job,
      );
      break;
    }
    case 'generation.updated': {
      const view = event.data as Job;
      const found = patchJob(qc, orgId, view.id, () => view);
      // A job started elsewhere (another tab, the daily plan): the lists load it.
      if (!found) void qc.invalidateQueries({ queryKey: jobsPrefix(orgId) });
      if (!isActive(view)) refreshResults(qc, orgId);
      break;
    }
    case 'media.updated':
      void qc.invalidateQueries({ queryKey: ['org', orgId, 'media'] });
      void qc.invalidateQueries({ queryKey: ['org', orgId, 'asset'] });
      break;
    default:
      break;
  }
}

/** After a gap in the stream (reconnect), anything may have changed. */
export function catchUp(qc: QueryClient, orgId: string) {
  void qc.invalidateQueries({ queryKey: jobsPrefix(orgId) });
}
