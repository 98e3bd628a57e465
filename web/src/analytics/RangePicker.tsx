import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { customProblem, daysOf, presets, type RangeChoice } from './range';

/** 7 / 30 / 90 days up to today, or custom days (applied when both ends are valid). */
export function RangePicker({ value, onChange }: { value: RangeChoice; onChange: (next: RangeChoice) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const current = daysOf(value);
  const [custom, setCustom] = useState(value.range === 'custom');
  const [from, setFrom] = useState(current.from);
  const [to, setTo] = useState(current.to);
  const problem = customProblem(from, to);
  const selected = custom ? 'custom' : value.range;

  return (
    <div className="an-range">
      <fieldset className="segmented">
        <legend className="visually-hidden">{t('analytics.range.label')}</legend>
        {[...presets, 'custom' as const].map((p) => (
          <label key={p} className={p === selected ? 'segment segment-on' : 'segment'}>
            <input
              type="radio"
              name={`${id}-range`}
              value={p}
              checked={p === selected}
              onChange={() => {
                if (p === 'custom') {
                  setCustom(true);
                  setFrom(current.from);
                  setTo(current.to);
                } else {
                  setCustom(false);
                  onChange({ range: p });
                }
              }}
            />
            {t(`analytics.range.${p}`)}
          </label>
        ))}
      </fieldset>
      {custom && (
        <form
          className="an-custom"
          onSubmit={(e) => {
            e.preventDefault();
            if (!problem) onChange({ range: 'custom', from, to });
          }}
        >
          <label htmlFor={`${id}-from`}>{t('analytics.range.from')}</label>
          <input id={`${id}-from`} type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
          <label htmlFor={`${id}-to`}>{t('analytics.range.to')}</label>
          <input id={`${id}-to`} type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
          <button type="submit" disabled={problem !== null}>
            {t('analytics.range.apply')}
          </button>
          {problem && problem !== 'missing' && (
            <span className="field-error" role="alert">
              {t(`analytics.range.problem.${problem}`)}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
