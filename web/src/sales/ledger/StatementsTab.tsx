import { useState } from 'react';
import { useCan } from '../../app/me';
import type { Persona } from '../../personas/queries';
import { BillingForm } from './BillingForm';
import { CostLines } from './CostLines';
import { StatementList } from './StatementList';

const lastMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

/** Agency billing for the persona: who pays, what it cost, and the monthly statements (HTML and PDF). */
export function StatementsTab({ persona }: { persona: Persona }) {
  const can = useCan();
  const [month, setMonth] = useState(lastMonth);
  return (
    <div className="stack">
      <StatementList persona={persona} month={month} onMonth={setMonth} write={can('sales:write')} />
      <div className="ledger-tools">
        <BillingForm personaId={persona.id} write={can('sales:write')} />
        <CostLines key={month} personaId={persona.id} month={month} write={can('sales:write')} />
      </div>
    </div>
  );
}
