import { useSyncExternalStore } from 'react';
import { useRequiredSession } from '../api/session';
import { usePersonas } from './queries';

// The persona being worked on is a per-device preference, remembered per organization.
const storageKey = (orgId: string) => `atelier.persona.${orgId}`;
const CHANGED = 'atelier:persona';

function read(orgId: string): string | null {
  try {
    return localStorage.getItem(storageKey(orgId));
  } catch {
    return null;
  }
}

function subscribe(listener: () => void) {
  window.addEventListener(CHANGED, listener);
  window.addEventListener('storage', listener);
  return () => {
    window.removeEventListener(CHANGED, listener);
    window.removeEventListener('storage', listener);
  };
}

export function selectPersona(orgId: string, personaId: string) {
  try {
    localStorage.setItem(storageKey(orgId), personaId);
  } catch {
    // Storage unavailable: the selection simply is not remembered.
  }
  window.dispatchEvent(new Event(CHANGED));
}

/** The remembered persona when it still exists (and is visible to this member), else the first one. */
export function useSelectedPersona() {
  const { orgId } = useRequiredSession();
  const stored = useSyncExternalStore(subscribe, () => read(orgId));
  const personas = usePersonas().data ?? [];
  const persona = personas.find((p) => p.id === stored) ?? personas[0] ?? null;
  return { persona, personas, select: (id: string) => selectPersona(orgId, id) };
}
