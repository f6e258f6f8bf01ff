// LanceDB's full-text index build can deadlock on a 2-core machine unless its pool has 2 threads
// (upstream issue #3568); LANCEDB_LOG=error hides its deprecation notices. Workers inherit both.
process.env.LANCE_CPU_THREADS ??= '2';
process.env.LANCEDB_LOG ??= 'error';
module.exports = require('../../jest.preset')(__dirname);
