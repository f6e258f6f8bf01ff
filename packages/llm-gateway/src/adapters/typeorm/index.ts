export {
  TypeormUsageLedger,
  type TypeormUsageLedgerOptions,
  type UsageRecordRow,
} from './typeorm-usage-ledger';
