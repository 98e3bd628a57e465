import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { onLinkClick } from '../app/router';
import type { Persona } from '../personas/queries';
import { ErrorNote } from '../ui/ErrorNote';
import { useFigures, type Figures } from './format';
import { useBestHours, type BestHours } from './queries';

const DAY_CHOICES = [30, 90, 180, 365] as const;
const HOURS = Array.from({ length: 24 }, (_, h) => h);
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
type Cell = BestHours['cells'][number];

/** Her best posting hours in her timezone: a weekday × hour heat map of her published posts' engagement. */
export function BestHoursTab({ persona, personas, onPersona }: { persona: Persona; personas: Persona[]; onPersona: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const f = useFigures();
  const [days, setDays] = useState<number>(90);
  const best = useBestHours(persona.id, days);
  const data = best.data;
  const weekday = new Intl.DateTimeFormat(i18n.language, { weekday: 'short', timeZone: 'UTC' });
  // 2024-01-01 was a Monday (ISO weekday 1).
  const dayName = (iso: number) => weekday.format(new Date(Date.UTC(2024, 0, iso)));
  const hourName = (h: number) => `${String(h).padStart(2, '0')}:00`;

  return (
    <div className="stack-lg" aria-busy={best.isFetching}>
      <div className="an-toolbar">
        {personas.length > 1 && (
          <div className="inline-field">
            <label htmlFor={`${id}-persona`}>{t('header.persona')}</label>
            <select id={`${id}-persona`} value={persona.id} onChange={(e) => onPersona(e.target.value)}>
              {personas.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="inline-field">
          <label htmlFor={`${id}-days`}>{t('analytics.hours.learnedFrom')}</label>
          <select id={`${id}-days`} value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {DAY_CHOICES.map((d) => (
              <option key={d} value={d}>
                {t('analytics.hours.lastDays', { count: d })}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote error={best.error} />
      {data && data.basis === 'none' && (
        <div className="panel an-empty" data-empty="best-hours">
          <h2>{t('analytics.hours.emptyTitle')}</h2>
          <p>{t('analytics.hours.empty', { name: persona.name, count: days })}</p>
          <a href="/calendar" onClick={onLinkClick}>
            {t('analytics.hours.toCalendar')}
          </a>
        </div>
      )}
      {data && data.basis !== 'none' && (
        <section className="panel" aria-labelledby={`${id}-title`}>
          <h2 id={`${id}-title`}>{t('analytics.hours.title', { name: persona.name })}</h2>
          <p className="muted small">
            {t('analytics.hours.zone', { zone: data.timezone })} · {t('analytics.hours.posts', { count: data.posts })} · {t(`analytics.hours.basis.${data.basis}`)}
          </p>
          {data.best.length > 0 ? (
            <p className="an-best" data-testid="best-hours">
              <strong>{t('analytics.hours.best')}</strong>{' '}
              {data.best.map((h, i) => (
                <span key={h} className="badge badge-ok">
                  {i + 1}. {hourName(h)}
                </span>
              ))}
            </p>
          ) : (
            <p className="muted">{t('analytics.hours.tooFew')}</p>
          )}
          <HeatMap data={data} f={f} dayName={dayName} hourName={hourName} />
          <p className="muted small">{t('analytics.hours.legend')}</p>
        </section>
      )}
    </div>
  );
}

function HeatMap({ data, f, dayName, hourName }: { data: BestHours; f: Figures; dayName: (d: number) => string; hourName: (h: number) => string }) {
  const { t } = useTranslation();
  const byKey = new Map(data.cells.map((c) => [`${c.weekday}-${c.hour}`, c]));
  const scores = [...data.cells, ...data.hours].filter((c) => c.posts > 0).map((c) => c.score);
  const max = Math.max(...scores, 0);
  const min = Math.min(...scores, max);
  const value = (c: Cell) => (data.basis === 'engagement_rate' ? f.percent(c.score) : t('analytics.hours.perPost', { value: c.score.toFixed(1) }));
  const describe = (c: Cell) => `${t('analytics.hours.posts', { count: c.posts })}, ${value(c)}`;
  // Darker is better; the scale spans her own best and worst hours so differences show.
  const shade = (c: Cell) => (max > min ? 0.15 + (0.85 * (c.score - min)) / (max - min) : 0.6);
  const td = (c: Cell | undefined, key: string, label: string) =>
    c && c.posts > 0 ? (
      <td key={key} className="an-heat-cell" style={{ backgroundColor: `rgb(122 62 157 / ${shade(c).toFixed(2)})` }} title={`${label}: ${describe(c)}`}>
        <span className="visually-hidden">{describe(c)}</span>
      </td>
    ) : (
      <td key={key} className="an-heat-cell an-heat-empty" title={`${label}: ${t('analytics.hours.none')}`}>
        <span className="visually-hidden">{t('analytics.hours.none')}</span>
      </td>
    );

  return (
    <div className="table-wrap">
      <table className="an-heat" aria-label={t('analytics.hours.mapLabel', { zone: data.timezone })}>
        <thead>
          <tr>
            <td />
            {HOURS.map((h) => (
              <th key={h} scope="col" className={data.best.includes(h) ? 'an-heat-best' : undefined}>
                <span aria-hidden="true">{h % 3 === 0 ? String(h).padStart(2, '0') : ''}</span>
                <span className="visually-hidden">{hourName(h)}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {WEEKDAYS.map((d) => (
            <tr key={d}>
              <th scope="row">{dayName(d)}</th>
              {HOURS.map((h) => td(byKey.get(`${d}-${h}`), `${d}-${h}`, `${dayName(d)} ${hourName(h)}`))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('analytics.hours.allDays')}</th>
            {data.hours.map((c) => td(c, `all-${c.hour}`, `${t('analytics.hours.allDays')} ${hourName(c.hour)}`))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
