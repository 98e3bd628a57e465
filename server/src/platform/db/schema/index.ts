export * from './tenancy.ts';
export * from './content.ts';
export * from './studio.ts';
export * from './publishing.ts';
export * from './sales.ts';
export * from './chat.ts';
export * from './analytics.ts';
