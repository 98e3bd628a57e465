import type { Metrics } from './metrics.ts';

/**
 * Wraps a provider client (image, text, voice) so every call of one of its async methods — generate, chat,
 * embed, synthesize, health — is observed in `atelier_provider_latency_seconds`, labelled with the
 * client's type and the method, whether it succeeds or fails.
 */
export function timedProvider<T extends { readonly type: string }>(client: T, metrics: Pick<Metrics, 'providerLatency'> | undefined): T {
  if (!metrics) return client;
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const started = process.hrtime.bigint();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        const observe = () => metrics.providerLatency.observe({ provider: target.type, operation: property }, Number(process.hrtime.bigint() - started) / 1e9);
        return result.finally(observe);
      };
    },
  });
}
