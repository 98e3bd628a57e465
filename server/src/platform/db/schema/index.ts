export * from './tenancy.ts';
export * from './content.ts';
