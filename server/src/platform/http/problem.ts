import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

/** RFC 9457 problem details. `code` is a stable machine-readable reason the web client keys i18n on. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://atelier.dev/problems/';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly extensions: Record<string, unknown>;
  constructor(status: number, code: string, message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extensions = extensions;
  }
}

export const notFound = (what = 'resource') => new HttpError(404, 'not_found', `No such ${what}`);
export const forbidden = (message = 'You do not have permission to do this') => new HttpError(403, 'forbidden', message);
export const unauthorized = (message = 'Authentication required', code = 'unauthorized') => new HttpError(401, code, message);
export const badRequest = (code: string, message: string, extensions?: Record<string, unknown>) =>
  new HttpError(400, code, message, extensions);
export const conflict = (code: string, message: string) => new HttpError(409, code, message);

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

type ProblemInput = { status: number; code: string; title?: string; detail?: string; errors?: Problem['errors'] } & Record<string, unknown>;

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemInput) {
  const body: Problem = {
    ...problem,
    type: TYPE_BASE + problem.code.replaceAll('_', '-'),
    title: problem.title ?? TITLES[problem.status] ?? 'Error',
    instance: request.url.split('?')[0],
    requestId: request.id,
  };
  return reply.status(problem.status).type('application/problem+json').send(body);
}

// Fastify's own client errors, mapped to stable codes.
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'empty_body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json' },
  FST_ERR_VALIDATION: { status: 400, code: 'validation_failed' },
  // Raised by the router before any route matches; they reach `frameworkErrors`, not the error handler.
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long' },
};

/** Router-level errors (malformed percent-encoding, over-long path parameter) as problems too. */
export function sendFrameworkProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return sendProblem(reply, request, { status: known.status, code: known.code, detail: error.message });
  request.log.error({ err: error }, 'router error');
  return sendProblem(reply, request, { status: 500, code: 'internal_error', detail: 'Something went wrong on our side' });
}

/**
 * PostgreSQL's "data exception" class (SQLSTATE 22xxx): a value the database cannot hold, e.g. a NUL
 * character in text or a date outside its range. Schema validation lets such values through, so they
 * are the client's input, not our failure. Drivers and drizzle wrap the error, hence the cause chain.
 */
function dataException(error: unknown): { code: string; message: string } | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return { code, message: String((e as { message?: unknown }).message ?? '') };
  }
  return null;
}

export function sendRouteNotFound(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(reply, request, { status: 404, code: 'not_found', detail: `No route ${request.method} ${request.url.split('?')[0]}` });
}

export function registerProblemHandlers(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return sendProblem(reply, request, { status: error.status, code: error.code, detail: error.message, ...error.extensions });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      return sendProblem(reply, request, {
        status: 400,
        code: 'validation_failed',
        detail: `Invalid ${error.validationContext ?? 'request'}`,
        errors: error.validation.map((v) => ({
          path: [error.validationContext, ...(v.instancePath ? v.instancePath.split('/').filter(Boolean) : [])].join('.'),
          message: v.message ?? 'invalid',
        })),
      });
    }
    if (error instanceof SyntaxError) {
      return sendProblem(reply, request, { status: 400, code: 'malformed_json', detail: error.message });
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return sendProblem(reply, request, { status: known.status, code: known.code, detail: error.message });
    const data = dataException(error);
    if (data) {
      request.log.info({ sqlstate: data.code, reason: data.message }, 'request carried a value the database refuses');
      return sendProblem(reply, request, { status: 400, code: 'invalid_value', detail: 'A value in the request cannot be stored (e.g. a NUL character or a date out of range)' });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, request, { status: error.statusCode, code: 'client_error', detail: error.message });
    }
    if (isResponseSerializationError(error)) request.log.error({ err: error }, 'response did not match its schema');
    else request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, request, { status: 500, code: 'internal_error', detail: 'Something went wrong on our side' });
  });
}
