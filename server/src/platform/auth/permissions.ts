import type { Role } from '../db/schema/index.ts';

/**
 * The permission matrix, the only place roles are mapped to rights. Routes declare one permission;
 * the guard (./guard.ts) checks it. Documented for humans in docs/permissions.md — keep both in step
 * (a test renders this table and compares).
 */
export const permissions = [
  'org:read',
  'team:read',
  'team:manage',
  'apikeys:manage',
  'audit:read',
  'settings:manage',
  'personas:read',
  'personas:write',
  'personas:delete',
  'channels:read',
  'channels:manage',
  'media:read',
  'media:write',
  'posts:read',
  'posts:write',
  'inbox:read',
  'inbox:write',
  'sales:read',
  'sales:write',
  'ledger:read',
  'fans:export',
  'analytics:read',
  'analytics:manage',
  'jobs:read',
  'jobs:manage',
] as const;
export type Permission = (typeof permissions)[number];

const all = new Set<Permission>(permissions);
const readOnly: Permission[] = [
  'org:read',
  'team:read',
  'personas:read',
  'channels:read',
  'media:read',
  'posts:read',
  'sales:read',
  'analytics:read',
];

export const matrix: Record<Role, ReadonlySet<Permission>> = {
  owner: all,
  // Admins run the organization; only the owner role itself is protected (see team service).
  admin: all,
  manager: new Set<Permission>([
    ...readOnly,
    'personas:write',
    'channels:manage',
    'media:write',
    'posts:write',
    'inbox:read',
    'inbox:write',
    'sales:write',
    'ledger:read',
    'fans:export',
    'jobs:read',
  ]),
  // Chatters answer fans: they see the catalogue to make offers, never ledger totals or fan exports.
  chatter: new Set<Permission>(['org:read', 'personas:read', 'media:read', 'posts:read', 'inbox:read', 'inbox:write', 'sales:read']),
  viewer: new Set<Permission>(readOnly),
};

export function can(role: Role, permission: Permission): boolean {
  return matrix[role].has(permission);
}

export function permissionsOf(role: Role): Permission[] {
  return permissions.filter((p) => matrix[role].has(p));
}

/** Roles that may be limited to assigned personas. */
export const scopableRoles: ReadonlySet<Role> = new Set(['manager', 'chatter']);

/** The matrix as a Markdown table; docs/permissions.md embeds it and a test keeps the two equal. */
export function permissionsTable(): string {
  const order = Object.keys(matrix) as Role[];
  const head = `| permission | ${order.join(' | ')} |\n| --- |${order.map(() => ' :-: |').join('')}`;
  const rows = permissions.map((p) => `| \`${p}\` | ${order.map((r) => (matrix[r].has(p) ? '✓' : '')).join(' | ')} |`);
  return [head, ...rows].join('\n');
}
