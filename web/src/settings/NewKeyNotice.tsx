import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** The server returns a key's secret exactly once: this is the only moment it can be copied. */
export function NewKeyNotice({ secret, name, onDone }: { secret: string; name: string; onDone: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="notice stack" role="status">
      <p>
        <strong>{t('apiKeys.created.title', { name })}</strong>
      </p>
      <p>{t('apiKeys.created.once')}</p>
      <label htmlFor={id}>{t('apiKeys.created.label')}</label>
      <input id={id} className="mono" readOnly value={secret} onFocus={(e) => e.target.select()} />
      <div className="actions">
        <button type="button" onClick={() => void copy()}>
          {copied ? t('apiKeys.created.copied') : t('apiKeys.created.copy')}
        </button>
        <button type="button" className="primary" onClick={onDone}>
          {t('apiKeys.created.done')}
        </button>
      </div>
    </div>
  );
}
