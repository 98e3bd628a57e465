/**
 * Instagram post and account figures (Graph API): `GET /{media-id}/insights?metric=views,reach,likes,
 * comments,shares,saved` per media (Graph has no multi-id insights read), `GET /{ig-user-id}?fields=
 * followers_count` for the account. Insights answer either `values: [{value}]` or `total_value: {value}`
 * depending on the metric; both are read. `views` replaced `impressions` in 2025; older answers with
 * `impressions` still count, and `reach` stands in when neither is there.
 */
import { isConnectorError } from '../http.ts';
import type { AccountMetrics, RemoteMetrics } from '../types.ts';

export const INSTAGRAM_MEDIA_METRICS = 'views,reach,likes,comments,shares,saved';

/** A GET on the Graph API through the connector (token, errors mapped to ConnectorError). */
export type GraphGet = (path: string, params: Record<string, string>) => Promise<unknown>;

interface Insight {
  name?: string;
  values?: { value?: unknown }[];
  total_value?: { value?: unknown };
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function insightValues(data: unknown): Record<string, number> {
  const entries = (data as { data?: Insight[] } | undefined)?.data ?? [];
  const out: Record<string, number> = {};
  for (const entry of entries) {
    if (!entry.name) continue;
    const value = num(entry.total_value?.value) ?? num(entry.values?.at(-1)?.value);
    if (value !== undefined) out[entry.name] = value;
  }
  return out;
}

export async function instagramPostMetrics(get: GraphGet, remoteIds: string[]): Promise<RemoteMetrics[]> {
  const out: RemoteMetrics[] = [];
  for (const id of remoteIds) {
    let values: Record<string, number>;
    try {
      values = insightValues(await get(`${encodeURIComponent(id)}/insights`, { metric: INSTAGRAM_MEDIA_METRICS }));
    } catch (error) {
      // A deleted media (code 100) is "not found": leave it out, keep reading the others.
      if (isConnectorError(error, 'rejected')) continue;
      throw error;
    }
    out.push({
      remoteId: id,
      impressions: values.views ?? values.impressions ?? values.reach,
      likes: values.likes,
      comments: values.comments,
      shares: values.shares,
      raw: values,
    });
  }
  return out;
}

export async function instagramAccountMetrics(get: GraphGet, igUserId: string): Promise<AccountMetrics> {
  const data = (await get(igUserId, { fields: 'followers_count,media_count' })) as { followers_count?: unknown; media_count?: unknown } | undefined;
  return { followers: num(data?.followers_count) ?? 0, raw: { followers_count: data?.followers_count, media_count: data?.media_count } };
}
