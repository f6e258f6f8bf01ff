import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const INFRA_DIR = path.resolve(__dirname, '../..');
export const REPO_DIR = path.resolve(INFRA_DIR, '..');

export function infraPath(...parts: string[]): string {
  return path.join(INFRA_DIR, ...parts);
}

export function repoPath(...parts: string[]): string {
  return path.join(REPO_DIR, ...parts);
}

export function readText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/** Every file under `dir` (recursively) whose name ends with one of `extensions`, node_modules excluded. */
export function listFiles(dir: string, extensions: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (extensions.some((extension) => entry.name.endsWith(extension))) found.push(full);
    }
  };
  walk(dir);
  return found.sort();
}

/** Parses YAML text (one or more `---` documents); throws with every error and warning of the parser. */
export function parseYamlDocuments(text: string, source = 'yaml'): unknown[] {
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const problems = list.flatMap((document) =>
    [...document.errors, ...document.warnings].map((issue) => issue.message),
  );
  if (problems.length > 0) throw new Error(`${source}: ${problems.join('\n')}`);
  return list
    .map((document) => document.toJS({ maxAliasCount: 100 }) as unknown)
    .filter((value) => value != null);
}

export function loadYaml<T = unknown>(file: string): T {
  const [first] = parseYamlDocuments(readText(file), file);
  return first as T;
}

export function loadYamlDocuments(file: string): unknown[] {
  return parseYamlDocuments(readText(file), file);
}

export function loadJson<T = unknown>(file: string): T {
  return JSON.parse(readText(file)) as T;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = (match[1] as string)
      .toLowerCase()
      .replace(/`/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    anchors.add(slug);
  }
  return anchors;
}

/** A deep copy to mutate in a negative test. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
