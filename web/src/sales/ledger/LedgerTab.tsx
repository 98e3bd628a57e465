import { useCan } from '../../app/me';
import type { Persona } from '../../personas/queries';
import { EntryForm } from './EntryForm';
import { ImportForm } from './ImportForm';
import { RatesEditor } from './RatesEditor';
import { RevenueChart } from './RevenueChart';
import { SyncPanel } from './SyncPanel';
import { TransactionsPanel } from './TransactionsPanel';

/** The persona's books: revenue per day, every transaction with totals per currency, and the ways rows come in. */
export function LedgerTab({ persona }: { persona: Persona }) {
  const can = useCan();
  const write = can('sales:write');
  return (
    <div className="stack">
      <RevenueChart personaId={persona.id} />
      <TransactionsPanel persona={persona} />
      {write && (
        <div className="ledger-tools">
          <ImportForm personaId={persona.id} />
          <EntryForm personaId={persona.id} />
          <SyncPanel personaId={persona.id} />
        </div>
      )}
      <RatesEditor />
    </div>
  );
}
