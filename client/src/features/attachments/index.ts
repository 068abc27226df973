/** For the transaction editor (client/src/features/transactions): `<TransactionAttachments :transaction-id="tx.id" />`. */
export { default as TransactionAttachments } from './TransactionAttachments.vue';
export { ATTACHMENT_DEPS } from './attachment-deps.ts';
export { uploadPending } from './attachment-service.ts';
