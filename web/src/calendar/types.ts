import type { paths } from '../api/schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Post = Json<paths['/api/v1/posts/{id}']['get']['responses'][200]>;
export type Target = Post['targets'][number];
export type TargetStatus = Target['status'];
export type NewPost = NonNullable<paths['/api/v1/posts']['post']['requestBody']>['content']['application/json'];
export type TargetInput = NewPost['targets'][number];
export type PostPatch = NonNullable<paths['/api/v1/posts/{id}']['put']['requestBody']>['content']['application/json'];
export type CalendarView = Json<paths['/api/v1/calendar']['get']['responses'][200]>;
export type CalendarDay = CalendarView['days'][number];
export type FreeSlot = CalendarDay['freeSlots'][number];
export type Channel = Json<paths['/api/v1/channels/{id}']['get']['responses'][200]>;
export type ChannelPlatform = Channel['platform'];
export type NewChannel = NonNullable<paths['/api/v1/channels']['post']['requestBody']>['content']['application/json'];
export type Slot = Json<paths['/api/v1/personas/{id}/slots']['get']['responses'][200]>['items'][number];
export type SlotInput = NonNullable<paths['/api/v1/personas/{id}/slots']['put']['requestBody']>['content']['application/json']['items'][number];

/** The post's status rolls up from its targets (see the server's rollUp). */
export const postStatuses = ['draft', 'approved', 'scheduled', 'publishing', 'published', 'failed', 'needs_review', 'cancelled'] as const;
export type PostStatus = (typeof postStatuses)[number];
export const postStatus = (post: Pick<Post, 'status'>): PostStatus => (postStatuses as readonly string[]).includes(post.status) ? (post.status as PostStatus) : 'draft';

export const variants = ['original', 'portrait', 'story', 'landscape', 'square'] as const satisfies readonly NonNullable<TargetInput['variant']>[];
export type Variant = (typeof variants)[number];
export const asVariant = (v: string): Variant => ((variants as readonly string[]).includes(v) ? (v as Variant) : 'original');

/** The order of the platform choice when connecting a channel: the no-credentials sandbox first. */
export const channelPlatforms: readonly ChannelPlatform[] = ['sandbox', 'x', 'instagram', 'bluesky', 'reddit', 'telegram', 'discord', 'fanvue', 'onlyfans_export'];

export const isReconnectNeeded = (channel: Pick<Channel, 'status'>) => channel.status === 'reconnect_needed';

/** Posts that can still be given a time: something is left to send. */
export const canReschedule = (post: Pick<Post, 'status'>) => ['approved', 'scheduled', 'failed'].includes(postStatus(post));

/** A post with a problem someone has to look at. */
export const needsAttention = (post: Pick<Post, 'status'>) => ['failed', 'needs_review'].includes(postStatus(post));

/** The first target error, to say at a glance why a post failed. */
export const firstError = (post: Pick<Post, 'targets'>) => post.targets.find((t) => t.error && (t.status === 'failed' || t.status === 'needs_review'))?.error ?? null;
