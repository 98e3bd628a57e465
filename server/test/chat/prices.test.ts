import { describe, expect, it } from 'vitest';
import { checkGrounding, findPrices } from '../../src/chat/safety/prices.ts';

const found = (text: string) => findPrices(text).map((p) => ({ minor: p.minor, currency: p.currency }));

describe('price guard: what reads as a price', () => {
  it('reads amounts with a currency code, word or symbol, spaced or not', () => {
    expect(found('Only 4 CAD today')).toEqual([{ minor: 400, currency: 'CAD' }]);
    expect(found('Only 4CAD today')).toEqual([{ minor: 400, currency: 'CAD' }]);
    expect(found('It is €4')).toEqual([{ minor: 400, currency: 'EUR' }]);
    expect(found('Il coûte 4,99 €')).toEqual([{ minor: 499, currency: 'EUR' }]);
    expect(found('12 EUR, USD 15 or 10 dollars')).toEqual([
      { minor: 1500, currency: 'USD' },
      { minor: 1200, currency: 'EUR' },
      { minor: 1000, currency: 'USD' },
    ]);
    expect(found('(12eur)')).toEqual([{ minor: 1200, currency: 'EUR' }]);
    expect(found('1 234,50 eur')).toEqual([{ minor: 123450, currency: 'EUR' }]);
  });

  it('does not read a currency code inside a token (a code, a nonce, an id) as a price', () => {
    expect(found('My code n48dc4cad, remember it')).toEqual([]);
    expect(found('ref a12eur and x9usd')).toEqual([]);
    expect(found('see build 7f3aud')).toEqual([]);
  });

  it('a reply repeating such a token passes when no offer is allowed', () => {
    const r = checkGrounding('Got it, your code is n48dc4cad!', [], { offersAllowed: false });
    expect(r.problems).toEqual([]);
    expect(r.prices).toEqual([]);
    // …while a real price in the same situation is still caught.
    expect(checkGrounding('That set is 4 CAD.', [], { offersAllowed: false }).problems.map((p) => p.kind)).toEqual(['offer_not_allowed']);
  });
});
