// @monograph-cms/client: what a website needs to read Monograph's delivery API.
export { MonographClient, createClient } from "./client.js";
export type { ClientOptions, RequestOptions, Fetched } from "./client.js";
export { MemoryCache } from "./cache.js";
export type { CacheEntry, ETagCache } from "./cache.js";
export { MonographError, isMonographError, errorFromResponse } from "./errors.js";
export type { ProblemCode } from "./errors.js";
export {
  verifyWebhook,
  signWebhook,
  parseSignatureHeader,
  timingSafeEqual,
  WebhookVerificationError,
  SIGNATURE_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
} from "./webhook.js";
export type { VerifyOptions, WebhookFailure, ParsedSignature } from "./webhook.js";
export type * from "./types.js";
