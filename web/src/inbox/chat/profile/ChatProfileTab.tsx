import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldErrors } from '../../../api/problem';
import { useCan } from '../../../app/me';
import type { Persona } from '../../../personas/queries';
import { useDateTime } from '../../../ui/format';
import { ChatError } from '../ChatError';
import { useChatProfile, useSaveChatProfile, type ChatProfile } from '../queries';
import { CardFields } from './CardFields';
import { CardTransfer } from './CardTransfer';
import { toBody, toDraft, type Draft } from './draft';
import { LorebookEditor } from './LorebookEditor';
import { ModelFields, SellingFields } from './ModelFields';

/** The persona's chatbot: her character card, lorebook, model, selling limits and safety settings. */
export function ChatProfileTab({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const profile = useChatProfile(persona.id);
  if (profile.isPending) return <p className="muted">{t('common.loading')}</p>;
  if (!profile.data) return <ChatError error={profile.error} />;
  return <Editor persona={persona} profile={profile.data} />;
}

function Editor({ persona, profile }: { persona: Persona; profile: ChatProfile }) {
  const { t } = useTranslation();
  const can = useCan();
  const when = useDateTime();
  const save = useSaveChatProfile(persona.id);
  const [draft, setDraft] = useState<Draft>(() => toDraft(profile));
  const [dirty, setDirty] = useState(false);
  // Bumped when the whole draft is replaced (import): fields drop what they kept while typing.
  const [version, setVersion] = useState(0);
  const [saved, setSaved] = useState(false);
  const readOnly = !can('personas:write');
  const errors = fieldErrors(save.error);
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setDirty(true);
    setSaved(false);
  };
  const section = { draft, set, errors, readOnly };

  return (
    <div className="chat-profile stack-lg">
      <CardTransfer
        personaId={persona.id}
        name={draft.card.name || persona.name}
        canWrite={!readOnly}
        dirty={dirty}
        onImported={(next) => {
          // Only the card and lorebook came from the file; unsaved model and selling edits stay.
          setDraft((d) => ({ ...d, card: next.card, lorebook: next.lorebook }));
          setVersion((v) => v + 1);
        }}
      />
      <form
        key={version}
        className="panel stack-lg"
        aria-labelledby="chat-profile-title"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(toBody(draft), {
            onSuccess: (p) => {
              setDraft(toDraft(p));
              setDirty(false);
              setSaved(true);
            },
          });
        }}
      >
        <div className="panel-head">
          <h2 id="chat-profile-title">{t('chat.profile.title', { name: persona.name })}</h2>
          <span className="muted small">{profile.updatedAt ? t('chat.profile.updatedAt', { when: when(profile.updatedAt) }) : t('chat.profile.neverSaved')}</span>
        </div>
        {readOnly && <p className="notice">{t('chat.profile.readOnly')}</p>}
        <CardFields {...section} />
        <LorebookEditor {...section} />
        <ModelFields {...section} />
        <SellingFields {...section} />
        <ChatError error={save.error} />
        {saved && (
          <p className="success" role="status">
            {t('chat.profile.saved')}
          </p>
        )}
        {!readOnly && (
          <div className="actions chat-save">
            <button type="submit" className="primary" disabled={save.isPending || !dirty}>
              {save.isPending ? t('chat.profile.saving') : t('chat.profile.save')}
            </button>
            {dirty && <span className="muted small">{t('chat.profile.unsaved')}</span>}
          </div>
        )}
      </form>
    </div>
  );
}
