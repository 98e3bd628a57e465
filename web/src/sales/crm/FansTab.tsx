import type { Persona } from '../../personas/queries';
import { FanDetail } from './FanDetail';
import { FansList } from './FansList';

const DETAIL = /^\/sales\/fans\/([0-9a-f-]{36})$/i;

/** The persona's fans: the list (with segments), or one fan at /sales/fans/<id>. */
export function FansTab({ persona, path }: { persona: Persona; path: string }) {
  const id = DETAIL.exec(path)?.[1];
  return id ? <FanDetail key={id} id={id} /> : <FansList persona={persona} />;
}
