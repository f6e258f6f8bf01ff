import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppConfig } from '../config';

/**
 * The Content-Security-Policy of every response. Everything the server renders loads from its own
 * origin: the web page at / (`/app.js`, `/style.css`, the vendored `/vendor/eventsource-parser/`
 * modules), Swagger UI at /docs (`swagger-ui-bundle.js`, `swagger-ui-init.js`) and Bull Board.
 * - `style-src 'unsafe-inline'`: Swagger UI and Bull Board put `<style>` blocks and `style=""`
 *   attributes in their pages; the web page does not need it. Scripts stay `'self'` only.
 * - `img-src data:`: Swagger UI draws its icons and logo from data: URIs.
 * - no `upgrade-insecure-requests` (helmet's default adds it): the server itself speaks plain HTTP
 *   (TLS ends at the ingress), and that directive would make a browser on http://localhost:3000
 *   request every script over https and load nothing.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  scriptSrcAttr: ["'none'"],
  upgradeInsecureRequests: null,
} as const;

/** Headers a browser may read from a cross-origin response (backoff hints and rate-limit state). */
const EXPOSED_HEADERS = [
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Content-Type',
];

/**
 * Security headers on every response (@fastify/helmet: CSP above, HSTS, nosniff, frame and referrer
 * policies, cross-origin isolation headers) and, when CORS_ORIGINS is set, CORS for those origins.
 * Credentials are never allowed cross-origin: the API authenticates with a Bearer key, not cookies.
 */
export async function registerHttpSecurity(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { ...CONTENT_SECURITY_POLICY } },
  });
  if (config.CORS_ORIGINS.length === 0) return;
  await app.register(cors, {
    origin: config.CORS_ORIGINS.includes('*') ? '*' : [...config.CORS_ORIGINS],
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Last-Event-ID'],
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  });
}
