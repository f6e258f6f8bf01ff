// Lets a plain Node child process require this package's TypeScript sources, compiled on the fly
// with @swc/core (the compiler jest uses). Child processes are needed where jest's module sandbox
// gets in the way: dynamic import() (OTLP exporter) and require hooks (instrumentations).
const fs = require('node:fs');
const Module = require('node:module');
const swc = require('@swc/core');

Module._extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
