import { useTranslation } from 'react-i18next';
import { navigate } from '../../app/router';
import type { Persona } from '../../personas/queries';
import { useSelectedPersona } from '../../personas/selection';
import { useDateTime } from '../../ui/format';
import { conversationPath } from './ConversationsTab';
import { useChatAlerts } from './live';

const SAFETY = new Set(['stated_under_18', 'self_harm']);

/** Alerts raised while the inbox is open (any persona the member sees): safety first, then delivery problems. */
export function AlertsPanel({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const when = useDateTime();
  const { alerts, dismiss } = useChatAlerts();
  const { personas, select } = useSelectedPersona();
  if (!alerts.length) return null;
  const sorted = [...alerts].sort((a, b) => Number(SAFETY.has(b.kind)) - Number(SAFETY.has(a.kind)));

  return (
    <section className="panel chat-alerts" aria-labelledby="chat-alerts-title">
      <h2 id="chat-alerts-title">{t('chat.alerts.title')}</h2>
      <ul>
        {sorted.map((a) => {
          const other = a.personaId && a.personaId !== persona.id ? personas.find((p) => p.id === a.personaId) : null;
          return (
            <li key={a.id} className={SAFETY.has(a.kind) ? 'chat-alert-item is-safety' : 'chat-alert-item'} role={SAFETY.has(a.kind) ? 'alert' : undefined}>
              <span>
                <strong>{t(`chat.alerts.kinds.${a.kind}`)}</strong> <span className="muted small">{when(a.at)}</span>
                {other && <span className="muted small"> · {other.name}</span>}
              </span>
              <span className="actions">
                <button
                  type="button"
                  className="small-button"
                  onClick={() => {
                    if (other) select(other.id);
                    navigate(conversationPath(a.conversationId));
                  }}
                >
                  {t('chat.alerts.open')}
                </button>
                <button type="button" className="small-button" onClick={() => dismiss(a.id)}>
                  {t('chat.alerts.dismiss')}
                </button>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
