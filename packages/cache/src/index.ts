export * from './ports';
export * from './errors';
