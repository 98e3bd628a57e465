import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { useCan, useOrgKey } from '../app/me';
import type { Persona } from '../personas/queries';
import { ErrorNote } from '../ui/ErrorNote';
import { PlatformMark } from './badges';
import { ChannelEditForm } from './ChannelEditForm';
import { ChannelSpend } from './ChannelSpend';
import { ChannelForm } from './ChannelForm';
import { ConnectButton, ConnectNotice, isOAuthPlatform, SetupCheck } from './connect';
import { settingsSummary } from './channelForms';
import { usePolicyHint } from './policyHint';
import { useChannels } from './queries';
import { ReconnectBanner } from './ReconnectBanner';
import { isReconnectNeeded, type Channel } from './types';

/** Her accounts on each platform: status (reconnect needed stands out), what each takes, connect and remove. */
export function ChannelsSection({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  const channels = useChannels(persona.id);
  const [added, setAdded] = useState<Channel | null>(null);
  const [round, setRound] = useState(0);
  return (
    <div className="stack-lg">
      <ConnectNotice personaId={persona.id} />
      <ReconnectBanner personaId={persona.id} withLink={false} />
      <section className="panel" aria-labelledby="channels-title">
        <h2 id="channels-title">{t('calendar.channels.title', { name: persona.name })}</h2>
        <p className="muted">{t('calendar.channels.intro')}</p>
        <ErrorNote error={channels.error} />
        {channels.isPending && <p role="status">{t('common.loading')}</p>}
        {channels.data?.length === 0 && <p className="muted">{t('calendar.channels.empty')}</p>}
        {!!channels.data?.length && (
          <ul className="cards" aria-label={t('calendar.channels.listLabel')}>
            {channels.data.map((channel) => (
              <ChannelCard key={channel.id} channel={channel} canManage={can('channels:manage')} />
            ))}
          </ul>
        )}
      </section>
      {can('channels:manage') && (
        <section className="panel" aria-labelledby="channel-add-title">
          <h2 id="channel-add-title">{t('calendar.channels.addTitle')}</h2>
          <ChannelForm
            key={round}
            personaId={persona.id}
            onAdded={(channel) => {
              setAdded(channel);
              setRound((n) => n + 1);
            }}
          />
          <p className={added ? 'success' : 'visually-hidden'} role="status">
            {added ? t('calendar.channels.added', { handle: added.handle }) : ''}
          </p>
        </section>
      )}
    </div>
  );
}

function ChannelCard({ channel, canManage }: { channel: Channel; canManage: boolean }) {
  const { t, i18n } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const hint = usePolicyHint();
  // Names the form knows are said in words; anything else (set through the API) shows as stored.
  const settingName = (name: string) => (i18n.exists(`calendar.channels.fields.${name}`) ? t(`calendar.channels.fields.${name as 'chatId'}`) : name);
  const credentialName = (name: string) => (i18n.exists(`calendar.channels.credentialNames.${name}`) ? t(`calendar.channels.credentialNames.${name as 'bot_token'}`) : name);
  const broken = isReconnectNeeded(channel);
  const [editing, setEditing] = useState(false);
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/channels/{id}', { params: { path: { id: channel.id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: key('channels') });
      void queryClient.invalidateQueries({ queryKey: key('calendar') });
    },
  });
  const download = useMutation({
    mutationFn: async () => {
      const blob = await unwrap(api.GET('/api/v1/channels/{id}/onlyfans-export.csv', { params: { path: { id: channel.id } }, parseAs: 'blob' }));
      const url = URL.createObjectURL(blob as unknown as Blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = 'onlyfans-schedule.csv';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },
  });
  const summary = settingsSummary(channel.settings);
  return (
    <li className={broken ? 'card channel-card is-broken' : 'card channel-card'}>
      <div className="card-head">
        <PlatformMark platform={channel.platform} />
        <h3>{channel.handle}</h3>
        <span className={broken ? 'badge post-failed' : 'badge badge-ok'}>{t(`calendar.channels.status.${broken ? 'reconnect_needed' : 'active'}`)}</span>
      </div>
      <p className="small">{hint(channel)}</p>
      <ChannelSpend channel={channel} />
      {broken && <p className="field-error">{t('calendar.channels.reconnectHint')}</p>}
      <dl className="facts">
        {summary.map(([name, value]) => (
          <div key={name} className="contents">
            <dt>{settingName(name)}</dt>
            <dd>
              <code>{value}</code>
            </dd>
          </div>
        ))}
        <dt>{t('calendar.channels.credentials')}</dt>
        <dd>{channel.credentialNames.length ? channel.credentialNames.map(credentialName).join(', ') : t('calendar.channels.noCredentials')}</dd>
      </dl>
      {/* X: the bio and the Automated label are checked (or confirmed) per channel, not only right after connecting. */}
      {channel.platform === 'x' && <SetupCheck channelId={channel.id} channel={channel} />}
      <div className="actions">
        {channel.platform === 'onlyfans_export' && (
          <button type="button" className="small-button" onClick={() => download.mutate()} disabled={download.isPending}>
            {t('calendar.channels.downloadCsv')}
          </button>
        )}
        {canManage && isOAuthPlatform(channel.platform) && <ConnectButton personaId={channel.personaId} platform={channel.platform} channel={channel} />}
        {canManage && !editing && (
          <button type="button" className="small-button" onClick={() => setEditing(true)} aria-label={t('connect.edit.label', { handle: channel.handle })}>
            {t('connect.edit.button')}
          </button>
        )}
        {canManage && (
          <button
            type="button"
            className="danger small-button"
            disabled={remove.isPending}
            onClick={() => window.confirm(t('calendar.channels.confirmDelete', { handle: channel.handle })) && remove.mutate()}
            aria-label={t('calendar.channels.removeLabel', { handle: channel.handle })}
          >
            {t('calendar.channels.remove')}
          </button>
        )}
      </div>
      <ErrorNote error={remove.error ?? download.error} />
      {editing && <ChannelEditForm channel={channel} onDone={() => setEditing(false)} />}
    </li>
  );
}
