import { useTranslation } from 'react-i18next';
import { useCan } from '../app/me';
import { ErrorNote } from '../ui/ErrorNote';
import { useDateTime } from '../ui/format';
import { AddMemberForm } from './AddMemberForm';
import { MemberRow } from './MemberRow';
import { useTeam } from './teamQueries';

export function TeamSection() {
  const { t } = useTranslation();
  const can = useCan();
  const team = useTeam();
  const dateTime = useDateTime();
  const manage = can('team:manage');
  return (
    <div className="stack-lg">
      <section className="panel" aria-labelledby="team-title">
        <h2 id="team-title">{t('team.title')}</h2>
        <p className="muted">{t('team.intro')}</p>
        <ErrorNote error={team.error} />
        {team.isPending && <p role="status">{t('common.loading')}</p>}
        {team.data && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('team.columns.member')}</th>
                  <th scope="col">{t('team.columns.role')}</th>
                  <th scope="col">{t('team.columns.access')}</th>
                  <th scope="col">{t('team.columns.since')}</th>
                  {manage && <th scope="col">{t('team.columns.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {team.data.map((member) => (
                  <MemberRow key={member.userId} member={member} manage={manage} since={dateTime(member.createdAt)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {manage && (
        <section className="panel" aria-labelledby="team-add">
          <h2 id="team-add">{t('team.add.title')}</h2>
          <AddMemberForm />
        </section>
      )}
    </div>
  );
}
