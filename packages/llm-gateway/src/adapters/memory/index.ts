export { MemoryUsageLedger } from './memory-usage-ledger';
