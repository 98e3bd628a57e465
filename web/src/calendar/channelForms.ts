import type { ChannelPlatform } from './types';

export type SettingKind = 'text' | 'url' | 'checkbox';
export interface SettingField {
  key: 'chatId' | 'channelId' | 'ageRestricted' | 'igUserId' | 'username' | 'subreddits' | 'subredditsNsfw' | 'service' | 'markAllMediaSensitive';
  kind: SettingKind;
  required?: boolean;
}
export interface CredentialField {
  key: 'bot_token' | 'webhook_url' | 'access_token' | 'refresh_token' | 'client_id' | 'client_secret' | 'identifier' | 'app_password';
  required?: boolean;
}
export interface PlatformForm {
  settings: SettingField[];
  credentials: CredentialField[];
  /** A line under the platform choice. */
  note: 'sandbox' | 'onlyfans' | 'discord' | 'tokens' | 'telegram' | 'bluesky';
}

/**
 * The fields each connector reads (server/src/publishing/connectors/*). OAuth sign-in is not built on
 * the server yet, so tokens are pasted; credentials are write-only.
 */
export const platformForms: Record<ChannelPlatform, PlatformForm> = {
  sandbox: { settings: [], credentials: [], note: 'sandbox' },
  onlyfans_export: { settings: [], credentials: [], note: 'onlyfans' },
  telegram: {
    settings: [
      { key: 'chatId', kind: 'text', required: true },
      { key: 'ageRestricted', kind: 'checkbox' },
    ],
    credentials: [{ key: 'bot_token', required: true }],
    note: 'telegram',
  },
  discord: {
    settings: [
      { key: 'channelId', kind: 'text' },
      { key: 'ageRestricted', kind: 'checkbox' },
    ],
    credentials: [{ key: 'webhook_url' }, { key: 'bot_token' }],
    note: 'discord',
  },
  x: {
    settings: [{ key: 'markAllMediaSensitive', kind: 'checkbox' }],
    credentials: [{ key: 'access_token', required: true }, { key: 'refresh_token' }, { key: 'client_id' }, { key: 'client_secret' }],
    note: 'tokens',
  },
  bluesky: {
    settings: [{ key: 'service', kind: 'url' }],
    credentials: [
      { key: 'identifier', required: true },
      { key: 'app_password', required: true },
    ],
    note: 'bluesky',
  },
  instagram: { settings: [{ key: 'igUserId', kind: 'text', required: true }], credentials: [{ key: 'access_token', required: true }], note: 'tokens' },
  reddit: {
    settings: [
      { key: 'username', kind: 'text', required: true },
      { key: 'subreddits', kind: 'text' },
      { key: 'subredditsNsfw', kind: 'checkbox' },
    ],
    credentials: [{ key: 'access_token' }, { key: 'refresh_token', required: true }, { key: 'client_id', required: true }, { key: 'client_secret' }],
    note: 'tokens',
  },
  fanvue: {
    settings: [],
    credentials: [{ key: 'access_token', required: true }, { key: 'refresh_token' }, { key: 'client_id' }, { key: 'client_secret' }],
    note: 'tokens',
  },
};

export type SettingValues = Partial<Record<SettingField['key'], string | boolean>>;

/** The settings object the connector expects, from the form's values. */
export function settingsBody(platform: ChannelPlatform, values: SettingValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of platformForms[platform].settings) {
    const value = values[field.key];
    if (field.key === 'subredditsNsfw') continue;
    if (field.key === 'subreddits') {
      const names = String(value ?? '')
        .split(/[,\s]+/)
        .map((s) => s.replace(/^\/?r\//i, '').trim())
        .filter(Boolean);
      if (names.length) out.subreddits = Object.fromEntries(names.map((name) => [name, { nsfwAllowed: values.subredditsNsfw === true }]));
      continue;
    }
    if (field.kind === 'checkbox') {
      if (value === true) out[field.key] = true;
    } else if (typeof value === 'string' && value.trim()) out[field.key] = value.trim();
  }
  return out;
}

/** Settings as short "name: value" lines for the channel list (subreddits by name). */
export function settingsSummary(settings: Record<string, unknown>): [string, string][] {
  return Object.entries(settings).flatMap(([key, value]): [string, string][] => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [[key, String(value)]];
    if (key === 'subreddits' && value && typeof value === 'object') return [[key, Object.keys(value).map((s) => `r/${s}`).join(', ')]];
    return [];
  });
}
