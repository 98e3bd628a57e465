export * from './tenancy.ts';
export * from './content.ts';
export * from './studio.ts';
