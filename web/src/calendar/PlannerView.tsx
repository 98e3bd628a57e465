import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../app/me';
import type { Persona } from '../personas/queries';
import { ErrorNote } from '../ui/ErrorNote';
import { AgendaView } from './AgendaView';
import { Composer, type ComposerSeed } from './Composer';
import { addDays, nextHour, todayIn, zoned } from './dates';
import { useDragMove } from './drag';
import { useCalendarFormat } from './format';
import type { ViewProps } from './items';
import { MonthView } from './MonthView';
import { MoveDialog } from './MoveDialog';
import { rangeOf, type Nav } from './navigation';
import { PostDetail } from './PostDetail';
import { ProblemNote } from './ProblemNote';
import { useCalendarRange, useChannels, useSlots } from './queries';
import { useScheduleApproving } from './planningQueries';
import { DraftsTray } from './DraftsTray';
import { ReconnectBanner } from './ReconnectBanner';
import { Toolbar } from './Toolbar';
import { postStatus, type FreeSlot, type Post } from './types';
import { WeekView } from './WeekView';
import { PpvOnCalendar } from '../sales/crm/PpvOnCalendar';

/** The persona's calendar: a month, a week, a day or a list, with drag-and-drop rescheduling. */
export function PlannerView({ persona }: { persona: Persona }) {
  const { t } = useTranslation();
  const can = useCan();
  const canWrite = can('posts:write');
  const [nav, setNav] = useState<Nav>(() => ({ view: 'week', anchor: todayIn(persona.timezone), listDays: 30 }));
  const range = rangeOf(nav);
  const calendar = useCalendarRange(persona.id, range.from, range.days);
  const timezone = calendar.data?.timezone ?? persona.timezone;
  const today = todayIn(timezone);
  const format = useCalendarFormat(timezone);
  const channels = useChannels(persona.id);
  const slots = useSlots(persona.id);
  const byId = useMemo(() => new Map((channels.data ?? []).map((c) => [c.id, c])), [channels.data]);

  const [composing, setComposing] = useState<ComposerSeed | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [moving, setMoving] = useState<Post | null>(null);
  const [announcement, setAnnouncement] = useState('');
  // Posts dropped from the tray of unscheduled ones may be drafts: they are approved as they land.
  const schedule = useScheduleApproving();

  const move = (postId: string, localDate: string, localTime: string) => {
    setAnnouncement(t('calendar.moving'));
    schedule.mutate(
      { id: postId, when: { localDate, localTime } },
      {
        onSuccess: (post) => setAnnouncement(post.scheduledAt ? t('calendar.moved', { when: format.when(post.scheduledAt) }) : ''),
        onError: () => setAnnouncement(''),
      },
    );
  };
  const drag = useDragMove({ timezone, enabled: canWrite, onMove: move });

  const newAt = (date: string, slot: FreeSlot) => setComposing({ date, time: slot.localTime, channelIds: slots.data?.find((s) => s.id === slot.slotId)?.channelIds ?? [] });
  const newPost = () => {
    const start = nav.anchor > today ? { date: nav.anchor, time: '10:00' } : nextHour(timezone);
    setComposing({ ...start, channelIds: [] });
  };

  // After the composer: say when, and show the period it landed in.
  const scheduled = (post: Post) => {
    setComposing(null);
    if (!post.scheduledAt) return;
    setAnnouncement(t(postStatus(post) === 'draft' ? 'calendar.composer.keptDraft' : 'calendar.composer.scheduled', { when: format.when(post.scheduledAt) }));
    const date = zoned(post.scheduledAt, timezone).date;
    if (date < range.from || date > addDays(range.from, range.days - 1)) setNav((n) => ({ ...n, anchor: date }));
  };

  const props: ViewProps | null = calendar.data
    ? {
        days: calendar.data.days,
        today,
        format,
        channels: byId,
        drag,
        onOpen: setOpenId,
        onNew: canWrite ? newAt : null,
        onMoveTo: canWrite ? setMoving : null,
      }
    : null;

  return (
    <div className="stack">
      <ReconnectBanner personaId={persona.id} />
      <Toolbar nav={nav} onNav={setNav} today={today} timezone={timezone} format={format} onNewPost={canWrite ? newPost : null} announcement={announcement} />
      <ProblemNote error={schedule.error} />
      <ErrorNote error={calendar.error} />
      <div className="cal-body" aria-busy={calendar.isFetching}>
        {!props && calendar.isPending && <p role="status">{t('common.loading')}</p>}
        {props && nav.view === 'month' && <MonthView {...props} month={nav.anchor} onPickDay={(date) => setNav({ ...nav, view: 'day', anchor: date })} />}
        {props && nav.view === 'week' && <WeekView {...props} />}
        {props && nav.view === 'day' && <WeekView {...props} size="large" />}
        {props && nav.view === 'list' && <AgendaView {...props} />}
      </div>
      <DraftsTray personaId={persona.id} channels={byId} canWrite={canWrite} onOpen={setOpenId} onSchedule={setMoving} />
      <PpvOnCalendar personaId={persona.id} from={range.from} days={range.days} timezone={timezone} format={format} />
      {composing && <Composer persona={persona} timezone={timezone} seed={composing} onClose={() => setComposing(null)} onScheduled={scheduled} />}
      {openId && <PostDetail key={openId} id={openId} timezone={timezone} channels={byId} onClose={() => setOpenId(null)} onMoveTo={canWrite ? setMoving : null} />}
      {moving && <MoveDialog post={moving} personaId={persona.id} timezone={timezone} initial={moving.scheduledAt ? zoned(moving.scheduledAt, timezone) : nextHour(timezone)} onClose={() => setMoving(null)} onMoved={(post) => post.scheduledAt && setAnnouncement(t('calendar.moved', { when: format.when(post.scheduledAt) }))} />}
    </div>
  );
}
