import { useTranslation } from 'react-i18next';

export function SubmitRow({ pending, label }: { pending: boolean; label: string }) {
  const { t } = useTranslation();
  return (
    <div className="actions">
      <button type="submit" className="primary" disabled={pending}>
        {pending ? t('studio.generate.sending') : label}
      </button>
    </div>
  );
}
