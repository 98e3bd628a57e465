import { useTranslation } from 'react-i18next';
import { errorUnder } from '../../../api/problem';
import { Field } from '../../../ui/Field';
import { estimateTokens, type Card, type SectionProps } from './draft';
import { ListInput } from './ListInput';

type TextKey = 'description' | 'personality' | 'scenario' | 'first_mes' | 'mes_example' | 'system_prompt' | 'post_history_instructions' | 'creator_notes';
const LONG: { key: TextKey; rows: number }[] = [
  { key: 'description', rows: 6 },
  { key: 'personality', rows: 3 },
  { key: 'scenario', rows: 3 },
  { key: 'first_mes', rows: 4 },
  { key: 'mes_example', rows: 6 },
  { key: 'system_prompt', rows: 5 },
  { key: 'post_history_instructions', rows: 3 },
  { key: 'creator_notes', rows: 3 },
];

/** The character card (Character Card V2/V3 fields): who she is and how she talks. */
export function CardFields({ draft, set, errors, readOnly }: SectionProps) {
  const { t } = useTranslation();
  const card = draft.card;
  const patch = (p: Partial<Card>) => set({ card: { ...card, ...p } });
  const greetings = card.alternate_greetings;
  const total = LONG.reduce((n, f) => n + estimateTokens(card[f.key]), 0);

  return (
    <fieldset disabled={readOnly} className="stack">
      <legend>{t('chat.profile.card.title')}</legend>
      <p className="field-hint">{t('chat.profile.card.hint', { tokens: total, char: '{{char}}', user: '{{user}}' })}</p>
      <div className="grid-2">
        <Field label={t('chat.profile.card.name')} hint={t('chat.profile.card.nameHint')} error={errorUnder(errors, 'card.name')}>
          {(c) => <input {...c} value={card.name} maxLength={200} onChange={(e) => patch({ name: e.target.value })} />}
        </Field>
        <Field label={t('chat.profile.card.tags')} hint={t('chat.profile.listHint')} error={errorUnder(errors, 'card.tags')}>
          {(c) => <ListInput control={c} value={card.tags} onChange={(tags) => patch({ tags })} />}
        </Field>
      </div>
      {LONG.map(({ key, rows }) => (
        <Field
          key={key}
          label={t(`chat.profile.card.fields.${key}`)}
          hint={`${t(`chat.profile.card.hints.${key}`)} ${t('chat.profile.tokens', { count: estimateTokens(card[key]) })}`}
          error={errorUnder(errors, `card.${key}`)}
        >
          {(c) => <textarea {...c} rows={rows} value={card[key]} onChange={(e) => patch({ [key]: e.target.value } as Partial<Card>)} />}
        </Field>
      ))}
      <div className="stack">
        <span className="label">{t('chat.profile.card.alternateGreetings')}</span>
        <p className="field-hint">{t('chat.profile.card.alternateGreetingsHint')}</p>
        {greetings.map((g, i) => (
          <div key={i} className="chat-list-row">
            <Field label={t('chat.profile.card.greeting', { n: i + 1 })} error={errorUnder(errors, `card.alternate_greetings.${i}`)}>
              {(c) => <textarea {...c} rows={2} value={g} onChange={(e) => patch({ alternate_greetings: greetings.map((x, j) => (j === i ? e.target.value : x)) })} />}
            </Field>
            <button type="button" className="small-button" onClick={() => patch({ alternate_greetings: greetings.filter((_, j) => j !== i) })}>
              {t('chat.profile.remove')}
            </button>
          </div>
        ))}
        <button type="button" className="small-button" onClick={() => patch({ alternate_greetings: [...greetings, ''] })}>
          {t('chat.profile.card.addGreeting')}
        </button>
      </div>
      <div className="grid-2">
        <Field label={t('chat.profile.card.creator')} error={errorUnder(errors, 'card.creator')}>
          {(c) => <input {...c} value={card.creator} maxLength={200} onChange={(e) => patch({ creator: e.target.value })} />}
        </Field>
        <Field label={t('chat.profile.card.version')} error={errorUnder(errors, 'card.character_version')}>
          {(c) => <input {...c} value={card.character_version} maxLength={100} onChange={(e) => patch({ character_version: e.target.value })} />}
        </Field>
      </div>
    </fieldset>
  );
}
