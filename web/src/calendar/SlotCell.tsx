import { useTranslation } from 'react-i18next';
import type { DragMove } from './drag';
import type { CalendarFormat } from './format';
import type { FreeSlot } from './types';

/** A slot of her rhythm with nothing in it: a dashed "+" to write a post there, and a drop zone. */
export function SlotCell({ date, slot, format, drag, onNew, compact = false }: { date: string; slot: FreeSlot; format: CalendarFormat; drag: DragMove; onNew: ((date: string, slot: FreeSlot) => void) | null; compact?: boolean }) {
  const { t } = useTranslation();
  const time = format.time(slot.at);
  if (!onNew) {
    return (
      <span className="slot-cell slot-readonly">
        {t('calendar.freeSlotReadOnly', { name: slot.name, time })}
      </span>
    );
  }
  return (
    <button
      type="button"
      className={compact ? 'slot-cell slot-compact' : 'slot-cell'}
      onClick={() => onNew(date, slot)}
      aria-label={t('calendar.freeSlotLabel', { name: slot.name, date: format.day(date), time })}
      {...drag.target(date, slot.localTime)}
    >
      {compact ? t('calendar.freeSlotShort', { time }) : t('calendar.freeSlot', { name: slot.name, time })}
    </button>
  );
}
