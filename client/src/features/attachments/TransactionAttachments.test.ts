// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { IDBFactory } from 'fake-indexeddb';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPLICA_PORT } from '../../app/injection.ts';
import type { ReplicaDatabase } from '../../db/database.ts';
import { openAttachmentCache, type AttachmentCache } from './attachment-cache.ts';
import { ATTACHMENT_DEPS } from './attachment-deps.ts';
import type { AttachmentDeps } from './attachment-service.ts';
import TransactionAttachments from './TransactionAttachments.vue';
import { portFor, until as untilWith } from '../../testing/test-port.ts';
import { account, openTestReplica, testUuid, transaction } from '../../testing/test-replica.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7]);
const TX = testUuid(10);

const until = (check: () => boolean, what: string) => untilWith(check, what, flushPromises);

let db: ReplicaDatabase;
let cache: AttachmentCache;
let online: boolean;
let posted: string[];

beforeEach(async () => {
  db = await openTestReplica();
  await db.accounts.insert(account({ id: testUuid(1) }));
  await db.transactions.insert(transaction({ id: TX, accountId: testUuid(1), amount: -1250 }));
  cache = openAttachmentCache({ indexedDB: new IDBFactory() });
  online = false;
  posted = [];
  vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:test-1', revokeObjectURL: () => undefined }));
});
afterEach(async () => {
  cache.close();
  await db.close();
  vi.unstubAllGlobals();
});

function mountIt() {
  const deps: AttachmentDeps = {
    cache,
    getAccessToken: () => 'token-1',
    fetch: async (input, init) => {
      if (!online) throw new TypeError('Failed to fetch');
      posted.push(`${init?.method} ${String(input)}`);
      return new Response('{}', { status: 201 });
    },
  };
  return mount(TransactionAttachments, {
    props: { transactionId: TX },
    attachTo: document.body,
    global: { plugins: [createPinia()], provide: { [REPLICA_PORT as symbol]: portFor(db), [ATTACHMENT_DEPS as symbol]: deps } },
  });
}

async function pick(wrapper: ReturnType<typeof mountIt>, testId: string, file: File) {
  const input = wrapper.get(`[data-testid="${testId}"]`);
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true });
  await input.trigger('change');
}

describe('TransactionAttachments', () => {
  it('has a camera input and a file input, each with a visible label', async () => {
    const w = mountIt();
    await until(() => w.text().includes('No receipts yet'), 'empty list');
    const camera = w.get('[data-testid="attach-camera"]');
    expect(camera.attributes('capture')).toBe('environment');
    expect(camera.attributes('accept')).toBe('image/*');
    expect(w.get('[data-testid="attach-file"]').attributes('accept')).toBe('image/*,application/pdf');
    expect(camera.element.closest('label')?.textContent).toContain('Take a photo');
    expect(w.get('section').attributes('aria-labelledby')).toBeTruthy();
    w.unmount();
  });

  it('adds a photo offline, says it will upload later, then uploads when back online', async () => {
    const w = mountIt();
    await until(() => w.text().includes('No receipts yet'), 'empty list');
    await pick(w, 'attach-camera', new File([PNG], 'IMG_0001.png', { type: 'image/png' }));
    await until(() => w.text().includes('IMG_0001.png') && w.text().includes('will upload'), 'the added file');
    expect(w.get('[role="status"][aria-live="polite"]').text()).toMatch(/1 file added\. 1 will upload when you are online/);
    await until(() => w.text().includes('Waiting to upload'), 'queued state');
    const [doc] = await db.attachments.find().exec();
    expect(doc?.uploadedAt).toBeNull();

    online = true;
    window.dispatchEvent(new Event('online'));
    await until(() => w.text().includes('Saved on this device'), 'uploaded state');
    expect(posted).toEqual([`POST /api/v1/attachments/${doc?.id}`]);
    expect((await db.attachments.findOne(doc!.id).exec())?.uploadedAt).not.toBeNull();
    w.unmount();
  });

  it('refuses a file that is not an image or PDF, in an alert', async () => {
    const w = mountIt();
    await until(() => w.text().includes('No receipts yet'), 'empty list');
    await pick(w, 'attach-file', new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    await until(() => w.find('[role="alert"]').exists(), 'an alert');
    expect(w.get('[role="alert"]').text()).toMatch(/"notes.txt" is not a JPEG, PNG, WebP or PDF file/);
    expect(await db.attachments.count().exec()).toBe(0);
    w.unmount();
  });

  it('views an image inline from the device copy, and closes it', async () => {
    const w = mountIt();
    await until(() => w.text().includes('No receipts yet'), 'empty list');
    await pick(w, 'attach-file', new File([PNG], 'till.png', { type: 'image/png' }));
    await until(() => w.text().includes('Waiting to upload'), 'the file');
    const viewButton = w.findAll('button').find((b) => b.text().startsWith('View'))!;
    expect(viewButton.attributes('aria-expanded')).toBe('false');
    await viewButton.trigger('click');
    await until(() => w.find('img').exists(), 'the image');
    expect(w.get('img').attributes('src')).toBe('blob:test-1');
    expect(w.get('img').attributes('alt')).toBe('Attachment till.png');
    expect(viewButton.attributes('aria-expanded')).toBe('true');
    await w.findAll('button').find((b) => b.text().startsWith('Close'))!.trigger('click');
    expect(w.find('img').exists()).toBe(false);
    w.unmount();
  });
});
