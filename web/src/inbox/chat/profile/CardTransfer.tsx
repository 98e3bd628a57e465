import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ChatError } from '../ChatError';
import { downloadCard, useImportCard, type ChatProfile } from '../queries';

const MAX_BYTES = 8 * 1024 * 1024;

/** Reads a file as base64 (without the data: prefix). */
function base64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/**
 * Character Card V2/V3 in and out: JSON, or a PNG carrying the card in its chara/ccv3 chunk. Importing replaces
 * the card and the lorebook (model, selling and limits stay); exporting writes what is saved.
 */
export function CardTransfer(props: { personaId: string; name: string; canWrite: boolean; dirty: boolean; onImported: (profile: ChatProfile, spec: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const importCard = useImportCard(props.personaId);
  const [localError, setLocalError] = useState<string | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const [imported, setImported] = useState<string | null>(null);

  const onFile = async (file: File | undefined) => {
    setLocalError(null);
    setImported(null);
    if (!file) return;
    if (file.size > MAX_BYTES) return setLocalError(t('chat.profile.transfer.tooLarge'));
    if (props.dirty && !window.confirm(t('chat.profile.transfer.confirmDiscard'))) return;
    let body: { card: Record<string, unknown> } | { png: string };
    try {
      if (file.type === 'image/png' || /\.png$/i.test(file.name)) body = { png: await base64(file) };
      else {
        const parsed: unknown = JSON.parse(await file.text());
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        body = { card: parsed as Record<string, unknown> };
      }
    } catch {
      return setLocalError(t('chat.profile.transfer.unreadable'));
    }
    importCard.mutate(body, {
      onSuccess: ({ importedSpec, ...profile }) => {
        setImported(importedSpec);
        props.onImported(profile, importedSpec);
      },
    });
  };

  const download = (format: 'json' | 'png', spec: 'v2' | 'v3') => {
    setExportError(null);
    downloadCard(props.personaId, props.name, format, spec).catch(setExportError);
  };

  return (
    <section className="panel stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('chat.profile.transfer.title')}</h2>
      <p className="field-hint">{t('chat.profile.transfer.hint')}</p>
      {props.canWrite && (
        <div className="field">
          <label htmlFor={`${id}-file`}>{t('chat.profile.transfer.import')}</label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".json,.png,application/json,image/png"
            disabled={importCard.isPending}
            onChange={(e) => {
              void onFile(e.target.files?.[0]);
              e.target.value = '';
            }}
          />
        </div>
      )}
      {importCard.isPending && <p className="muted">{t('chat.profile.transfer.importing')}</p>}
      {imported && (
        <p className="success" role="status">
          {t('chat.profile.transfer.imported', { spec: imported.toUpperCase() })}
        </p>
      )}
      {localError && (
        <p className="error-note" role="alert">
          {localError}
        </p>
      )}
      <ChatError error={importCard.error} />
      <div className="actions">
        <button type="button" className="small-button" onClick={() => download('json', 'v3')}>
          {t('chat.profile.transfer.exportV3')}
        </button>
        <button type="button" className="small-button" onClick={() => download('json', 'v2')}>
          {t('chat.profile.transfer.exportV2')}
        </button>
        <button type="button" className="small-button" onClick={() => download('png', 'v3')}>
          {t('chat.profile.transfer.exportPng')}
        </button>
      </div>
      {props.dirty && <p className="muted small">{t('chat.profile.transfer.exportsSaved')}</p>}
      <ChatError error={exportError} />
    </section>
  );
}
