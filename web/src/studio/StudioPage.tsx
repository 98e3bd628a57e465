import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../app/me';
import { onLinkClick } from '../app/router';
import { TabNav, usePermittedTab, type TabDef } from '../ui/TabNav';
import type { Persona } from '../personas/queries';
import { useSelectedPersona } from '../personas/selection';
import { ErrorNote } from '../ui/ErrorNote';
import { Gallery } from './Gallery';
import { GeneratePanel } from './GeneratePanel';
import { JobsPanel } from './JobsPanel';
import { MediaDetail } from './MediaDetail';
import { useMedia, useStudio } from './queries';
import { StudioSettingsPage } from './StudioSettingsPage';
import { UploadForm } from './UploadForm';

type Tab = 'create' | 'approval' | 'upload' | 'settings';
const tabs: TabDef<Tab>[] = [
  { id: 'create', path: '/studio', needs: 'media:read' },
  { id: 'approval', path: '/studio/approval', needs: 'media:read' },
  { id: 'upload', path: '/studio/upload', needs: 'media:write' },
  { id: 'settings', path: '/studio/settings', needs: 'personas:read' },
];
const PENDING = { status: 'pending_approval' } as const;

/** The studio for the persona chosen in the header: make, review, import, and set her identity. */
export function StudioPage({ path }: { path: string }) {
  const { t } = useTranslation();
  const { persona, personas } = useSelectedPersona();
  const [openId, setOpenId] = useState<string | null>(null);
  const { visible, current } = usePermittedTab(tabs, path);

  return (
    <section className="page page-wide">
      <h1>
        {t('nav.studio')}
        {persona && <span className="title-persona"> · {persona.name}</span>}
      </h1>
      {persona ? (
        <>
          <TabNav
            label={t('studio.tabsLabel')}
            tabs={visible}
            current={current}
            title={(id) => t(`studio.tabs.${id}`)}
            extra={(id) => id === 'approval' && <PendingDot personaId={persona.id} />}
          />
          {current?.id === 'create' && <CreateView persona={persona} onOpen={setOpenId} />}
          {current?.id === 'approval' && <Gallery key={persona.id} personaId={persona.id} onOpen={setOpenId} queue />}
          {current?.id === 'upload' && <UploadForm key={persona.id} personaId={persona.id} onOpen={setOpenId} />}
          {current?.id === 'settings' && <StudioSettingsPage persona={persona} />}
          {openId && <MediaDetail key={openId} id={openId} onClose={() => setOpenId(null)} />}
        </>
      ) : (
        <div className="panel">
          <p className="muted">{personas.length === 0 ? t('studio.noPersona') : t('common.loading')}</p>
          {personas.length === 0 && (
            <a href="/personas" onClick={onLinkClick}>
              {t('studio.createPersona')}
            </a>
          )}
        </div>
      )}
    </section>
  );
}

function CreateView({ persona, onOpen }: { persona: Persona; onOpen: (id: string) => void }) {
  const can = useCan();
  const studio = useStudio(persona.id);
  return (
    <div className="stack-lg">
      <ErrorNote error={studio.error} />
      <div className={can('media:write') ? 'studio-grid' : undefined}>
        {can('media:write') && <GeneratePanel persona={persona} studio={studio.data?.settings} />}
        <JobsPanel personaId={persona.id} onOpen={onOpen} />
      </div>
      <Gallery key={persona.id} personaId={persona.id} onOpen={onOpen} />
    </div>
  );
}

/** A dot on the approval tab while something waits for a decision. */
function PendingDot({ personaId }: { personaId: string }) {
  const { t } = useTranslation();
  const pending = useMedia(personaId, PENDING, { limit: 1 });
  if (!pending.data?.pages[0]?.length) return null;
  return (
    <span className="dot" role="img" aria-label={t('studio.queue.waiting')}>
      {' '}
      •
    </span>
  );
}
