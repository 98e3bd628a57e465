// Segments: saved fan filters. OWNED BY the CRM work (fill in); the signatures below are what the
// catalogue (promotions limited to a segment, PPV audiences) and analytics call.
import type { Tx } from '../../platform/db/database.ts';

/** Ids of the (non-erased) fans of `personaId` the segment selects, now. */
export async function fansInSegment(tx: Tx, segmentId: string, personaId: string): Promise<string[]> {
  void tx;
  void segmentId;
  void personaId;
  throw new Error('segments: not implemented yet');
}

/** Whether one fan is in the segment now. */
export async function fanInSegment(tx: Tx, segmentId: string, fanId: string): Promise<boolean> {
  void tx;
  void segmentId;
  void fanId;
  throw new Error('segments: not implemented yet');
}
