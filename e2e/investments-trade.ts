import type { Locator, Page } from 'playwright-core';

/** Steps through the "Add trade" editor (client/src/features/investments/InvestmentTransactionEditor.vue), and the app's navigation. */

export interface TradeInput {
  readonly kind: 'Buy' | 'Sell';
  /** The account's name as the form lists it. */
  readonly account: string;
  readonly quantity: string;
  readonly unitPrice: string;
  readonly fee?: string;
}

/** Opens the editor from the "Add trade" button, fills it and submits; returns the editor. */
export async function submitTrade(page: Page, input: TradeInput): Promise<Locator> {
  await page.getByTestId('add-trade').click();
  const editor = page.getByTestId('trade-editor');
  await editor.waitFor();
  await editor.getByLabel('Kind').selectOption({ label: input.kind });
  await editor.getByLabel('Account').selectOption({ label: input.account });
  await editor.getByLabel('Quantity').fill(input.quantity);
  await editor.getByLabel(/^Unit price/).fill(input.unitPrice);
  await editor.getByLabel(/^Fee/).fill(input.fee ?? '0');
  await editor.getByRole('button', { name: 'Add trade' }).click();
  return editor;
}

/** Units per account from the asset page's "Held in" table, as numbers for comparing (not for money). */
export async function heldByAccount(page: Page): Promise<Map<string, number>> {
  const rows = page.getByTestId('asset-holdings').locator('tbody tr');
  const out = new Map<string, number>();
  for (const row of await rows.all()) {
    const account = (await row.locator('th, td').nth(0).innerText()).trim();
    const units = Number((await row.locator('th, td').nth(1).innerText()).replace(/[,\s]/g, ''));
    out.set(account, units);
  }
  return out;
}
