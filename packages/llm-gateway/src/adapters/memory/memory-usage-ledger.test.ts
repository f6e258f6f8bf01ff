import { usageLedgerContract } from '../../testing';
import { MemoryUsageLedger } from './memory-usage-ledger';

usageLedgerContract({ describe, it, beforeAll, afterAll }, 'memory', () => ({
  ledger: new MemoryUsageLedger(),
}));
