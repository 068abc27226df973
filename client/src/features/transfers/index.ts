/** Recording a transfer from elsewhere (e.g. the transaction editor): both legs in one call. */
export { recordTransfer, detectSuggestions, confirmSuggestion, rejectPair } from './transfers-data.ts';
export { default as RecordTransferForm } from './RecordTransferForm.vue';
