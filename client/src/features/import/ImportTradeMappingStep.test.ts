// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ImportTradeMappingStep from './ImportTradeMappingStep.vue';
import { suggestTradeMapping } from './trade-mapping.ts';

const COLUMNS = ['Order date', 'Operation', 'Ticker', 'Units', 'Unit price', 'Net'];

function mountStep(over: Record<string, unknown> = {}) {
  const form = suggestTradeMapping(COLUMNS);
  form.kindValues = { 'Market Buy': 'buy', Switch: '' };
  return mount(ImportTradeMappingStep, {
    props: { form, save: true, columns: COLUMNS, sample: [{ 'Order date': '03/01/2024', Operation: 'Market Buy' }], errors: {}, problems: [], problemCount: 0, accountName: 'Larch ISA', ...over },
    attachTo: document.body,
  });
}

describe('ImportTradeMappingStep', () => {
  it('a labelled select per field, prefilled from the guess, and one per action word of the file', () => {
    const w = mountStep();
    const label = (id: string) => w.get(`label[for="${id}"]`).text();
    expect(label('tmap-dateColumn')).toBe('Date column');
    expect((w.get('#tmap-dateColumn').element as HTMLSelectElement).value).toBe('Order date');
    expect((w.get('#tmap-totalColumn').element as HTMLSelectElement).value).toBe('Net');
    expect(w.get('fieldset.actions legend').text()).toBe('What each action means');
    expect(w.findAll('fieldset.actions label').map((l) => l.text())).toEqual(['“Market Buy”', '“Switch”']);
    expect((w.get('#tmap-action-0').element as HTMLSelectElement).value).toBe('buy');
    expect(w.get('#tmap-action-1').findAll('option').map((o) => o.text())).toEqual([
      'Choose…', 'Buy', 'Sell', 'Dividend', 'Fee', 'Split', 'Transfer in', 'Transfer out', 'Not a trade (skip)',
    ]);
    w.unmount();
  });

  it('errors are tied to their fields; rows the mapping could not read are listed with line and column', async () => {
    const w = mountStep({
      errors: { symbolColumn: 'Choose the symbol, ISIN or name column (at least one)', kindValues: 'Say what “Switch” means' },
      problems: [{ line: 4, column: 'Units', message: '"ten" is not a number' }, { line: 9, message: 'No header row' }],
      problemCount: 2,
    });
    const symbol = w.get('#tmap-symbolColumn');
    expect(symbol.attributes('aria-invalid')).toBe('true');
    expect(symbol.attributes('aria-describedby')).toBe('tmap-symbolColumn-hint tmap-symbolColumn-error');
    expect(w.get('#tmap-symbolColumn-error').text()).toBe('Choose the symbol, ISIN or name column (at least one)');
    expect(w.get('#tmap-kindValues-error').text()).toBe('Say what “Switch” means');
    expect(w.get('#tmap-action-1').attributes('aria-invalid')).toBe('true');
    const alert = w.get('[role="alert"]');
    expect(alert.text()).toContain('2 rows could not be read with these columns. Nothing was imported.');
    expect(alert.findAll('li').map((li) => li.text())).toEqual(['Line 4, column “Units”: "ten" is not a number', 'Line 9: No header row']);
    await w.get('form').trigger('submit');
    expect(w.emitted('apply')).toHaveLength(1);
    await w.get('#tmap-kindColumn').setValue('Ticker');
    expect(w.emitted('kindColumn')).toHaveLength(1);
    w.unmount();
  });
});
