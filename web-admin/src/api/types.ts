// Types of the management API. The API's own objects come from schema.gen.ts, which
// `npm run gen:api` generates from internal/httpapi/openapi.json (typecheck and build run it
// first), so the client cannot drift from the server's document. What is written here is the
// editor's form model (Content: every field present) and shapes the document leaves open.

import type { components } from './schema.gen';
type Schemas = components['schemas'];

export type Role = 'writer' | 'reviewer' | 'editor' | 'admin';
export const ALL_ROLES: Role[] = ['writer', 'reviewer', 'editor', 'admin'];

export type User = Schemas['User'];
/** The signed-in user with the permissions (`object:action`) the policy grants their roles:
 * what the admin shows is decided from these and from each page's `actions`, never from a
 * copy of the policy. */
export type Me = Schemas['Me'];

/** A single-use link token for setting a password: shown once, never retrievable again. */
export interface AccountToken {
  token: string;
  expiresAt: string;
}

/** The answer to creating a user without a password. */
export interface CreatedUser extends User {
  enrolment?: AccountToken;
}

export interface LoginResponse {
  accessToken: string;
  refreshToken: string;
  expiresIn: number; // seconds
  user: User;
}

export type PageState = 'draft' | 'in_review' | 'changes_requested' | 'approved' | 'scheduled' | 'published';
export const PAGE_STATES: PageState[] = ['draft', 'in_review', 'changes_requested', 'approved', 'scheduled', 'published'];

export const SECTION_KEYS = [
  'overview',
  'mechanism',
  'clinical_uses',
  'administration',
  'benefits',
  'side_effects',
  'risks',
  'contraindications',
  'interactions',
  'legal',
  'patient_guidance',
  'other',
] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];

export const USE_STATUSES = ['approved', 'off_label', 'investigational'] as const;
export type UseStatus = (typeof USE_STATUSES)[number];

export interface ControlledStatus {
  jurisdiction: string;
  schedule: string;
}
export interface Section {
  key: SectionKey | string;
  title: string;
  body: string;
}
export interface ClinicalUse {
  name: string;
  description: string;
  status: UseStatus | string;
}
export interface Reference {
  title: string;
  url: string;
  publisher: string;
  year: number | null;
}

export interface Content {
  title: string;
  summary: string;
  drug: {
    name: string;
    genericName: string;
    brandNames: string[];
    drugClasses: string[];
    controlledStatus: ControlledStatus[];
  };
  sections: Section[];
  clinicalUses: ClinicalUse[];
  routes: string[];
  sideEffects: { common: string[]; serious: string[] };
  patientGuidance: string[];
  references: Reference[];
  disclaimer: string;
  tags: string[];
  /** Pictures from the media library; absent when the page has none (so it hashes as before). */
  images?: { asset: string; alt?: string; caption?: string }[];
}

/** One failed pre-review check of the working copy (the server's CheckResult). */
export type Check = Schemas['CheckResult'];
export type Approval = Schemas['Approval'];
export type Live = Schemas['LiveRevision'];
/** Whether the signed-in user may take one workflow action on a page now, and why not. */
export type ActionAvailability = Schemas['ActionAvailability'];
export type WorkflowAction = Schemas['WorkflowAction'];
/** The page JSON. Its content is the API's (fields may be absent); the editor works on
 * `Content`, from normalizeContent. */
export type Page = Schemas['Page'];
/** A page as listed: the page JSON without content and checks, with its title and drug name. */
export type PageSummary = Schemas['PageSummary'];

export interface ListResponse<T> {
  data: T[];
  nextCursor?: string;
}

export type RevisionSummary = Schemas['RevisionSummary'];
export type Revision = Schemas['Revision'];
export type AuditEvent = Schemas['AuditEvent'];

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  description?: string;
  secret?: string;
  createdAt?: string;
  secretRotatedAt?: string;
}

export interface WebhookDelivery {
  id: string;
  event?: string;
  eventId?: string;
  status?: string;
  attempts?: number;
  statusCode?: number;
  responseStatus?: number;
  lastStatus?: number | null;
  slug?: string;
  revision?: number;
  occurredAt?: string;
  updatedAt?: string;
  lastError?: string;
  error?: string;
  createdAt?: string;
  at?: string;
  deliveredAt?: string;
  nextAttemptAt?: string;
}

export const WEBHOOK_EVENTS = ['page.published', 'page.unpublished', 'page.review_due'] as const;

export interface ReaderReview {
  id: string;
  slug?: string;
  pageSlug?: string;
  pageId?: string;
  name: string;
  rating: number;
  body: string;
  state?: string;
  createdAt?: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldError[] | null;
  currentVersion?: number;
  [k: string]: unknown;
}
