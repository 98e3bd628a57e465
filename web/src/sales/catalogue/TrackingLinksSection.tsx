import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useCan, useOrgKey } from '../../app/me';
import { useChannels } from '../../calendar/queries';
import { Field } from '../../ui/Field';
import { useDateTime } from '../../ui/format';
import { CatalogueError } from './CatalogueError';
import { catalogueKey, useTrackingLinks, type TrackingLink } from './queries';

const socialPlatforms = ['instagram', 'tiktok', 'twitter', 'reddit', 'youtube', 'snapchat', 'facebook', 'other'] as const;

/** Where fans come from: Fanvue's own tracking links (counted by Fanvue) and links made by hand. */
export function TrackingLinksSection({ personaId }: { personaId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const links = useTrackingLinks(personaId);
  return (
    <section className="panel stack" aria-labelledby="links-title">
      <h2 id="links-title">{t('catalogue.links.title')}</h2>
      <p className="muted">{t('catalogue.links.intro')}</p>
      <CatalogueError error={links.error} />
      {links.data?.length === 0 && <p className="muted small">{t('catalogue.links.empty')}</p>}
      {!!links.data?.length && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('catalogue.links.name')}</th>
                <th scope="col">{t('catalogue.links.clicks')}</th>
                <th scope="col">{t('catalogue.links.subscribers')}</th>
                <th scope="col">{t('catalogue.links.updated')}</th>
                {can('sales:write') && <th scope="col">{t('catalogue.links.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {links.data.map((link) => (
                <LinkRow key={link.id} link={link} writable={can('sales:write')} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {can('sales:write') && <NewLink personaId={personaId} />}
    </section>
  );
}

function LinkRow({ link, writable }: { link: TrackingLink; writable: boolean }) {
  const { t, i18n } = useTranslation();
  const dateTime = useDateTime();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const number = new Intl.NumberFormat(i18n.language);
  const [clicks, setClicks] = useState(String(link.clicks));
  const [subscribers, setSubscribers] = useState(String(link.subscribers));
  const refresh = useMutation({
    mutationFn: (body: { clicks: number; subscribers: number } | undefined) =>
      unwrap(api.POST('/api/v1/tracking-links/{id}/refresh', { params: { path: { id: link.id } }, body: body ?? {} })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: key(catalogueKey) }),
  });
  const counted = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined);
  return (
    <tr>
      <td>
        <strong>{link.name}</strong>{' '}
        <span className="badge">{link.remoteId ? t('catalogue.links.fanvue') : t('catalogue.links.byHand')}</span>
        <br />
        <a href={link.url} target="_blank" rel="noreferrer noopener" className="small prewrap">
          {link.url}
        </a>
      </td>
      <td>{number.format(link.clicks)}</td>
      <td>{number.format(link.subscribers)}</td>
      <td>{link.fetchedAt ? dateTime(link.fetchedAt) : '—'}</td>
      {writable && (
        <td>
          {link.remoteId ? (
            <button type="button" className="small-button" onClick={() => refresh.mutate(undefined)} disabled={refresh.isPending}>
              {t('catalogue.links.refresh')}
            </button>
          ) : (
            <form
              className="row tight"
              onSubmit={(e) => {
                e.preventDefault();
                const c = counted(clicks);
                const s = counted(subscribers);
                if (c !== undefined && s !== undefined) refresh.mutate({ clicks: c, subscribers: s });
              }}
            >
              <input aria-label={t('catalogue.links.clicks')} inputMode="numeric" value={clicks} onChange={(e) => setClicks(e.target.value)} size={6} />
              <input aria-label={t('catalogue.links.subscribers')} inputMode="numeric" value={subscribers} onChange={(e) => setSubscribers(e.target.value)} size={6} />
              <button type="submit" className="small-button" disabled={refresh.isPending}>
                {t('catalogue.links.record')}
              </button>
            </form>
          )}
          <CatalogueError error={refresh.error} />
        </td>
      )}
    </tr>
  );
}

function NewLink({ personaId }: { personaId: string }) {
  const { t } = useTranslation();
  const key = useOrgKey();
  const queryClient = useQueryClient();
  const channels = useChannels(personaId);
  const [name, setName] = useState('');
  const [channelId, setChannelId] = useState('');
  const [social, setSocial] = useState<(typeof socialPlatforms)[number]>('instagram');
  const [url, setUrl] = useState('');
  const onFanvue = channels.data?.find((c) => c.id === channelId)?.platform === 'fanvue';
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/tracking-links', {
          body: { personaId, name: name.trim(), ...(channelId ? { channelId } : {}), ...(onFanvue ? { externalSocialPlatform: social } : { url: url.trim() }) },
        }),
      ),
    onSuccess: () => {
      setName('');
      setUrl('');
      void queryClient.invalidateQueries({ queryKey: key(catalogueKey) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="stack" onSubmit={submit} aria-labelledby="link-new-title">
      <h3 id="link-new-title">{t('catalogue.links.newTitle')}</h3>
      <div className="grid-2">
        <Field label={t('catalogue.links.name')}>{(c) => <input {...c} value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} />}</Field>
        <Field label={t('catalogue.links.channel')} hint={t('catalogue.links.channelHint')}>
          {(c) => (
            <select {...c} value={channelId} onChange={(e) => setChannelId(e.target.value)}>
              <option value="">{t('catalogue.links.noChannel')}</option>
              {channels.data?.map((ch) => (
                <option key={ch.id} value={ch.id}>
                  {ch.handle} ({t(`calendar.platforms.${ch.platform}`)})
                </option>
              ))}
            </select>
          )}
        </Field>
        {onFanvue ? (
          <Field label={t('catalogue.links.sharedOn')}>
            {(c) => (
              <select {...c} value={social} onChange={(e) => setSocial(e.target.value as (typeof socialPlatforms)[number])}>
                {socialPlatforms.map((s) => (
                  <option key={s} value={s}>
                    {t(`catalogue.links.social.${s}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          <Field label={t('catalogue.links.url')} hint={t('catalogue.links.urlHint')}>
            {(c) => <input {...c} type="url" value={url} onChange={(e) => setUrl(e.target.value)} required maxLength={2000} placeholder="https://" />}
          </Field>
        )}
      </div>
      <CatalogueError error={create.error} />
      <button type="submit" disabled={create.isPending}>
        {onFanvue ? t('catalogue.links.createOnFanvue') : t('catalogue.links.create')}
      </button>
    </form>
  );
}
