import type { FieldError, Problem } from "./types.js";

/**
 * Every error code the server documents, plus any string: a newer server may add codes,
 * and a client must not break on one it does not know.
 */
export type ProblemCode =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "gone"
  | "too_large"
  | "unsupported_media"
  | "rate_limited"
  | "unavailable"
  | "internal"
  | "method_not_allowed"
  | "unexpected_response"
  | (string & {});

/**
 * A failed request: the server's problem+json document, typed. Network failures are not
 * MonographErrors; they reach the caller as fetch raised them.
 */
export class MonographError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The stable machine-readable code, e.g. "not_found", "gone", "invalid". */
  readonly code: ProblemCode;
  /** The whole problem document. */
  readonly problem: Problem;
  /** The failing fields, for input errors (empty otherwise). */
  readonly fieldErrors: FieldError[];
  /** Seconds to wait before retrying, from Retry-After on 429 and 503. */
  readonly retryAfter: number | undefined;
  /** The URL that failed. */
  readonly url: string;

  constructor(problem: Problem, url: string, retryAfter?: number) {
    super(`${problem.status} ${problem.code}: ${problem.detail ?? problem.title} (${url})`);
    this.name = "MonographError";
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
    this.fieldErrors = problem.errors ?? [];
    this.retryAfter = retryAfter;
    this.url = url;
  }

  /** Whether the error carries the given code. */
  is(code: ProblemCode): boolean {
    return this.code === code;
  }
}

/** Whether e is a MonographError, optionally with the given code. */
export function isMonographError(e: unknown, code?: ProblemCode): e is MonographError {
  return e instanceof MonographError && (code === undefined || e.code === code);
}

/**
 * Builds the MonographError of a failed response. The server always answers errors as
 * problem+json; anything else (a proxy's HTML page, say) becomes an "unexpected_response"
 * problem so callers handle one shape.
 */
export async function errorFromResponse(res: Response, url: string): Promise<MonographError> {
  const retryAfter = parseRetryAfter(res.headers.get("Retry-After"));
  const type = res.headers.get("Content-Type") ?? "";
  let text = "";
  try {
    text = await res.text();
  } catch {
    // A body that cannot be read still leaves the status to report.
  }
  if (/^application\/(problem\+)?json\b/i.test(type)) {
    try {
      const body: unknown = JSON.parse(text);
      if (isProblem(body)) {
        return new MonographError(body, url, retryAfter);
      }
    } catch {
      // Not JSON after all: fall through to the generic problem.
    }
  }
  return new MonographError(
    {
      type: "about:blank",
      title: res.statusText || `HTTP ${res.status}`,
      status: res.status,
      code: "unexpected_response",
      detail: text.slice(0, 200) || `HTTP ${res.status} without a problem document`,
    },
    url,
    retryAfter,
  );
}

function isProblem(v: unknown): v is Problem {
  if (typeof v !== "object" || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p.status === "number" && typeof p.code === "string" && typeof p.title === "string";
}

function parseRetryAfter(h: string | null): number | undefined {
  if (!h) return undefined;
  const n = Number(h);
  if (Number.isFinite(n) && n >= 0) return n;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, Math.ceil((t - Date.now()) / 1000));
}
