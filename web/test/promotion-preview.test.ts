import { describe, expect, it } from 'vitest';
import { draftPromotionId, emptyFields, namedDraft, toDraft } from '../src/sales/catalogue/promotionForm';

// The price preview names the draft's promotion as typed, or "this promotion" while it has no name.
describe('promotion preview: the draft’s name', () => {
  const price = (promotion: { id: string; name: string } | null) => ({ listMinor: 1250, effectiveMinor: 1000, currency: 'EUR', freeTrialDays: null, promotion });

  it('keeps an unnamed draft unnamed instead of inventing a dash', () => {
    const parsed = toDraft({ ...emptyFields(new Date('2026-03-01T10:00:00Z')), name: '  ' });
    expect('draft' in parsed && parsed.draft.name).toBe('');
  });

  it('labels the winning draft by its name, or "this promotion"; others keep theirs', () => {
    const id = draftPromotionId(undefined);
    expect(id).toBe('draft');
    expect(namedDraft(price({ id, name: 'draft' }), id, '', 'this promotion').promotion?.name).toBe('this promotion');
    expect(namedDraft(price({ id, name: 'draft' }), id, ' Dawn week ', 'this promotion').promotion?.name).toBe('Dawn week');
    // Editing a stored promotion: the preview gives the draft that promotion's id.
    const edited = draftPromotionId('5b0c9a52-0000-4000-8000-000000000001');
    expect(namedDraft(price({ id: edited, name: 'Old name' }), edited, 'New name', 'this promotion').promotion?.name).toBe('New name');
    expect(namedDraft(price({ id: 'other', name: 'Spring sale' }), id, '', 'this promotion').promotion?.name).toBe('Spring sale');
    expect(namedDraft(price(null), id, '', 'this promotion').promotion).toBeNull();
  });
});
