import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type FastifyInstance } from 'fastify';

/** The browser modules the web page imports, served from the installed packages (no copy to drift). */
const VENDOR_MODULES: Readonly<
  Record<string, { readonly package: string; readonly files: readonly string[] }>
> = {
  // eventsource-parser's ESM build: `stream.js` imports `./index.js`, both self-contained.
  'eventsource-parser': { package: 'eventsource-parser', files: ['index.js', 'stream.js'] },
};

/**
 * GET /vendor/<package>/<file>: the web page's third-party modules, read once from node_modules at
 * start-up. A plain Fastify route (not in the OpenAPI document): static assets, not API.
 */
export function registerWebVendor(fastify: FastifyInstance): void {
  for (const [name, module] of Object.entries(VENDOR_MODULES)) {
    // The package's CommonJS entry sits next to the ESM files in dist/.
    const directory = path.dirname(require.resolve(module.package));
    for (const file of module.files) {
      const source = readFileSync(path.join(directory, file), 'utf8').replace(
        /\n\/\/# sourceMappingURL=.*$/m,
        '',
      );
      fastify.get(`/vendor/${name}/${file}`, async (_request, reply) =>
        reply
          .type('text/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=3600')
          .send(source),
      );
    }
  }
}
