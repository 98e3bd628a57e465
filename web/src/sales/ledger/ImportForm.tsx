import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/problem';
import { ErrorNote } from '../../ui/ErrorNote';
import { Field } from '../../ui/Field';
import { useImportCsv, useImports } from './queries';

const PLATFORMS = ['onlyfans', 'fansly', 'patreon', 'fanvue', 'other'];

/** A statement file in the generic CSV format: checked whole, imported whole or refused with its line errors. */
export function ImportForm({ personaId }: { personaId: string }) {
  const { t } = useTranslation();
  const [platform, setPlatform] = useState('onlyfans');
  const [file, setFile] = useState<File | null>(null);
  const [pasted, setPasted] = useState('');
  const upload = useImportCsv();
  const imports = useImports(personaId);
  const rejected = upload.error instanceof ApiError && upload.error.code === 'import_rejected' ? ((upload.error.problem.lineErrors as string[] | undefined) ?? []) : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const csv = file ? await file.text() : pasted;
    if (!csv.trim()) return;
    upload.mutate({ personaId, platform, csv, ...(file ? { filename: file.name.slice(0, 255) } : {}) });
  };

  return (
    <section className="panel" aria-labelledby="ledger-import-title">
      <h2 id="ledger-import-title">{t('billing.import.title')}</h2>
      <p className="muted small">{t('billing.import.format')}</p>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <Field label={t('billing.import.platform')}>
          {(c) => (
            <select {...c} value={platform} onChange={(e) => setPlatform(e.target.value)}>
              {PLATFORMS.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('billing.import.file')}>{(c) => <input {...c} type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}</Field>
        {!file && <Field label={t('billing.import.paste')}>{(c) => <textarea {...c} rows={4} value={pasted} onChange={(e) => setPasted(e.target.value)} spellCheck={false} />}</Field>}
        <div className="actions">
          <button type="submit" disabled={upload.isPending || (!file && !pasted.trim())}>
            {upload.isPending ? t('billing.import.importing') : t('billing.import.submit')}
          </button>
        </div>
      </form>
      {upload.isSuccess && (
        <p role="status" className="success">
          {t('billing.import.done', { rows: upload.data.rows, added: upload.data.added, updated: upload.data.updated })}
        </p>
      )}
      {upload.isSuccess && upload.data.warnings.map((w) => <p key={w} className="muted small">{w}</p>)}
      {rejected ? (
        <div role="alert" className="ledger-rejected">
          <p className="error-note">{t('billing.import.rejected', { count: rejected.length })}</p>
          <ul>
            {rejected.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      ) : (
        <ErrorNote error={upload.error} />
      )}
      {imports.data && imports.data.items.length > 0 && (
        <details>
          <summary>{t('billing.import.history')}</summary>
          <ul className="ledger-imports">
            {imports.data.items.map((i) => (
              <li key={i.id}>
                <span className={`badge ledger-import-${i.status}`}>{t(`billing.import.status.${i.status}`)}</span> {i.filename ?? i.source} · {t('billing.import.counts', { rows: i.rows, added: i.added, updated: i.updated })}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
