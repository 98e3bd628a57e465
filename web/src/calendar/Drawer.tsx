import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A modal dialog: a drawer from the right (post detail, composer) or a centred box (move). Modal from
 * the start; unmounting ends it. Escape fires `close`; a click on the backdrop (the dialog element
 * itself) closes too.
 */
export function Drawer({ titleId, title, onClose, children, kind = 'drawer', wide = false }: { titleId: string; title: string; onClose: () => void; children: ReactNode; kind?: 'drawer' | 'modal'; wide?: boolean }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const className = [kind === 'drawer' ? 'drawer' : 'modal', wide ? 'drawer-wide' : ''].filter(Boolean).join(' ');
  return (
    <dialog
      ref={ref}
      className={className}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(e) => {
        // Only the dialog's own box, never a click that bubbled from a dialog inside it.
        if (e.target === ref.current) onClose();
      }}
    >
      <div className="drawer-body">
        <div className="drawer-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" onClick={onClose}>
            {t('calendar.close')}
          </button>
        </div>
        {children}
      </div>
    </dialog>
  );
}
