import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { can, permissionsTable } from '../../src/platform/auth/permissions.ts';

describe('permission matrix', () => {
  it('is documented exactly in docs/permissions.md', () => {
    const doc = readFileSync(new URL('../../../docs/permissions.md', import.meta.url), 'utf8');
    expect(doc).toContain(permissionsTable());
  });

  it('keeps money and fan exports away from chatters and changes away from viewers', () => {
    expect(can('chatter', 'ledger:read')).toBe(false);
    expect(can('chatter', 'fans:export')).toBe(false);
    expect(can('chatter', 'inbox:write')).toBe(true);
    expect(can('viewer', 'sales:write')).toBe(false);
    expect(can('viewer', 'personas:write')).toBe(false);
  });
});
