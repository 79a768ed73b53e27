import type { WebhookPayload } from "./types.js";

/** The header carrying a delivery's signature. */
export const SIGNATURE_HEADER = "Monograph-Signature";

/** The default tolerance between the signature's time and now, either side: 5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Why a delivery was refused. */
export type WebhookFailure =
  /** The header is missing, malformed, or carries no v1 signature. */
  | "no_signature"
  /** The signature's time is outside the tolerance: a replay, or a badly wrong clock. */
  | "timestamp"
  /** No v1 signature matches the body and the secret. */
  | "mismatch"
  /** Signed correctly, but the body is not a webhook payload. */
  | "invalid_body";

/** A delivery that must be refused (answer 400, or 401: the server retries either way). */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookFailure;
  constructor(reason: WebhookFailure, message: string) {
    super(message);
    this.name = "WebhookVerificationError";
    this.reason = reason;
  }
}

/** What verifyWebhook needs. */
export interface VerifyOptions {
  /** The webhook's secret exactly as shown at registration ("whsec_…"). */
  secret: string;
  /** The Monograph-Signature header (null or undefined when absent). */
  header: string | null | undefined;
  /**
   * The raw request body, exactly as received: the signature covers these bytes, so a
   * body parsed and re-serialised will not verify.
   */
  body: string | Uint8Array;
  /** Seconds the signature's time may differ from now, either side (default 300). */
  toleranceSeconds?: number;
  /** Now (default: the clock). */
  now?: Date | number;
}

const encoder = new TextEncoder();

/**
 * Checks a delivery's Monograph-Signature header —
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` — and returns its payload.
 * The timestamp must be within the tolerance and one v1 signature must match, compared in
 * constant time. Throws WebhookVerificationError otherwise. Deliveries come at least once:
 * drop one whose `id` you have handled already.
 */
export async function verifyWebhook(opts: VerifyOptions): Promise<WebhookPayload> {
  const parsed = parseSignatureHeader(opts.header);
  if (!parsed) {
    throw new WebhookVerificationError("no_signature", `missing or malformed ${SIGNATURE_HEADER} header`);
  }
  const now = opts.now === undefined ? Date.now() : typeof opts.now === "number" ? opts.now : opts.now.getTime();
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(tolerance >= 0)) throw new RangeError("toleranceSeconds must not be negative");
  if (Math.abs(now / 1000 - parsed.timestamp) > tolerance) {
    throw new WebhookVerificationError("timestamp", `signature time ${parsed.timestamp} is more than ${tolerance} s from now`);
  }
  const body = typeof opts.body === "string" ? encoder.encode(opts.body) : opts.body;
  const want = await hmac(opts.secret, parsed.timestampText, body);
  // Every candidate is compared in full, so the time taken does not tell which matched.
  let ok = false;
  for (const sig of parsed.signatures) {
    ok = timingSafeEqual(sig, want) || ok;
  }
  if (!ok) throw new WebhookVerificationError("mismatch", "signature does not match the body and secret");
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw new WebhookVerificationError("invalid_body", "body is not JSON");
  }
  if (!isPayload(payload)) throw new WebhookVerificationError("invalid_body", "body is not a webhook payload");
  return payload;
}

/**
 * The Monograph-Signature header value for body sent at `at` (default now), as the server
 * computes it. For tests of receivers, and for relaying a delivery.
 */
export async function signWebhook(secret: string, body: string | Uint8Array, at: Date | number = Date.now()): Promise<string> {
  const ms = typeof at === "number" ? at : at.getTime();
  const t = String(Math.floor(ms / 1000));
  const b = typeof body === "string" ? encoder.encode(body) : body;
  return `t=${t},v1=${toHex(await hmac(secret, t, b))}`;
}

/** A parsed Monograph-Signature header. */
export interface ParsedSignature {
  timestamp: number;
  /** The timestamp exactly as sent: it is what was signed. */
  timestampText: string;
  /** The v1 signatures, 32 bytes each; several during a secret rotation. */
  signatures: Uint8Array[];
}

/** Parses a Monograph-Signature header; null when it has no timestamp or no v1 signature. */
export function parseSignatureHeader(header: string | null | undefined): ParsedSignature | null {
  if (!header) return null;
  let timestampText = "";
  const signatures: Uint8Array[] = [];
  for (const part of header.split(",")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === "t") timestampText = v;
    else if (k === "v1") {
      const b = fromHex(v);
      if (b && b.length === 32) signatures.push(b);
    }
  }
  if (!/^\d{1,12}$/.test(timestampText) || signatures.length === 0) return null;
  return { timestamp: Number(timestampText), timestampText, signatures };
}

async function hmac(secret: string, t: string, body: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error("webhook verification needs Web Crypto (globalThis.crypto.subtle)");
  const key = await subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const prefix = encoder.encode(`${t}.`);
  const msg = new Uint8Array(prefix.length + body.length);
  msg.set(prefix, 0);
  msg.set(body, prefix.length);
  return new Uint8Array(await subtle.sign("HMAC", key, msg));
}

/** Compares two byte strings in time that depends only on their length. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function fromHex(s: string): Uint8Array | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

function isPayload(v: unknown): v is WebhookPayload {
  if (typeof v !== "object" || v === null) return false;
  const p = v as Record<string, unknown>;
  return (
    typeof p.id === "string" &&
    typeof p.event === "string" &&
    typeof p.slug === "string" &&
    typeof p.revision === "number" &&
    typeof p.occurredAt === "string"
  );
}
