import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useCan } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { JobStatusBadge } from './badges';
import { ProgressBar } from './ProgressBar';
import { useAddJob } from './queries';
import { isActive, nodeErrors, type Job } from './types';

/** The words a job was asked for, to tell jobs apart in the list. */
function summaryOf(job: Job): string {
  const r = job.request;
  const text = [r.prompt, r.brief, r.text, r.voiceText, r.captionText].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  return text ?? '';
}

export function JobRow({ job, onOpen }: { job: Job; onOpen: (assetId: string) => void }) {
  const { t } = useTranslation();
  const can = useCan();
  const dateTime = useDateTime();
  const addJob = useAddJob();
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/studio/jobs/{id}/cancel', { params: { path: { id: job.id } } })),
    onSuccess: addJob,
  });
  const summary = summaryOf(job);
  const active = isActive(job);

  return (
    <li className={`job job-row-${job.status}`}>
      <div className="job-head">
        <strong>{t(`studio.kinds.${job.kind}`)}</strong>
        <JobStatusBadge status={job.status} />
        <span className="muted small job-when">{dateTime(job.createdAt)}</span>
      </div>
      {summary && (
        <p className="job-summary" title={summary}>
          {summary}
        </p>
      )}
      {active && <ProgressBar value={job.progress} label={t('studio.jobs.progress', { kind: t(`studio.kinds.${job.kind}`) })} />}
      {active && job.progressMessage && <p className="muted small job-message">{job.progressMessage}</p>}
      {job.attempts > 0 && (job.attempts > 1 || job.error) && <p className="muted small">{t('studio.jobs.attempts', { count: job.attempts })}</p>}
      {job.error && job.status !== 'cancelled' && <JobError error={job.error} />}
      <div className="actions">
        {job.resultAssetIds.map((id, i) => (
          <button key={id} type="button" className="link" onClick={() => onOpen(id)}>
            {t('studio.jobs.openResult', { n: i + 1 })}
          </button>
        ))}
        {job.resultCaptionIds.length > 0 && <span className="muted small">{t('studio.jobs.captions', { count: job.resultCaptionIds.length })}</span>}
        {active && can('media:write') && (
          <button type="button" className="danger small-button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {t('studio.jobs.cancel')}
          </button>
        )}
      </div>
      <ErrorNote error={cancel.error} />
    </li>
  );
}

/** The reason a job failed; for a ComfyUI workflow, which node failed and why. */
function JobError({ error }: { error: NonNullable<Job['error']> }) {
  const { t } = useTranslation();
  const nodes = nodeErrors(error.details);
  return (
    <div className="job-error">
      <p>{error.message}</p>
      {nodes.length > 0 && (
        <ul>
          {nodes.map((n, i) => (
            <li key={i}>
              {n.node !== null && <strong>{n.classType ? t('studio.jobs.nodeTyped', { node: n.node, type: n.classType }) : t('studio.jobs.node', { node: n.node })}</strong>}
              {n.node !== null && ': '}
              {n.message}
              {n.inputName && ` (${t('studio.jobs.input', { name: n.inputName })})`}
              {n.details && n.details !== n.inputName && <span className="muted"> — {n.details}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
