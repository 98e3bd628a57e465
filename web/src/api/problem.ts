import type { paths } from './schema';

/** RFC 9457 problem details as the server declares them; `code` is stable, `detail` is English. */
export type Problem = paths['/api/v1/personas']['post']['responses'][400]['content']['application/json'];

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.code);
    this.status = status;
    this.problem = problem;
  }
  get code() {
    return this.problem.code;
  }
}

function toProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === 'object' && typeof (error as Problem).code === 'string') return error as Problem;
  // A proxy or a crash can answer with something that is not problem+json.
  return { type: 'about:blank', title: response.statusText, status: response.status, code: response.status >= 500 ? 'internal_error' : 'unknown' };
}

/** Turns openapi-fetch's `{data, error}` into data or a thrown ApiError, the shape TanStack Query expects. */
export async function unwrap<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, toProblem(error, response));
  return data as D;
}

/** Server validation errors keyed by field path, without the leading `body.`. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const { path, message } of error.problem.errors ?? []) {
    const key = path.replace(/^body\.?/, '') || '_';
    out[key] ??= message;
  }
  return out;
}

/** The error for a field or for anything inside it (`stylePresets.2.name` counts for `stylePresets`). */
export function errorUnder(errors: Record<string, string>, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const nested = Object.keys(errors).find((k) => k.startsWith(`${path}.`));
  return nested ? errors[nested] : undefined;
}
