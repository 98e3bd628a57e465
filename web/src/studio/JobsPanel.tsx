import { useTranslation } from 'react-i18next';
import { useLiveStatus } from '../app/live';
import { ErrorNote } from '../ui/ErrorNote';
import { JobRow } from './JobRow';
import { useJobs } from './queries';

export function JobsPanel({ personaId, onOpen }: { personaId: string; onOpen: (assetId: string) => void }) {
  const { t } = useTranslation();
  const jobs = useJobs(personaId);
  const live = useLiveStatus();
  return (
    <section className="panel" aria-labelledby="jobs-title">
      <div className="panel-head">
        <h2 id="jobs-title">{t('studio.jobs.title')}</h2>
        <span className={live === 'live' ? 'live live-on' : 'live'} title={t(`studio.jobs.liveHint.${live}`)}>
          {t(`studio.jobs.live.${live}`)}
        </span>
      </div>
      <ErrorNote error={jobs.error} />
      {jobs.isPending && <p role="status">{t('common.loading')}</p>}
      {jobs.data?.length === 0 && <p className="muted">{t('studio.jobs.empty')}</p>}
      {!!jobs.data?.length && (
        <ul className="jobs" aria-label={t('studio.jobs.title')}>
          {jobs.data.map((job) => (
            <JobRow key={job.id} job={job} onOpen={onOpen} />
          ))}
        </ul>
      )}
    </section>
  );
}
