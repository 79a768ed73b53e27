// Types of the management API (see /work/shared/API.md). Kept loose where the server may add
// members: the admin only reads what it knows.

export type Role = 'writer' | 'reviewer' | 'editor' | 'admin';
export const ALL_ROLES: Role[] = ['writer', 'reviewer', 'editor', 'admin'];

export interface User {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  credentials?: string;
  disabled?: boolean;
  createdAt?: string;
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
}

export interface Check {
  id: string;
  severity: 'warning' | 'blocker';
  message: string;
  field?: string;
}

export interface Approval {
  revision: number;
  contentHash: string;
  reviewer: { id: string; name: string; credentials?: string };
  signedAt: string;
  meaning: string;
  comment?: string;
  nextReviewDue?: string;
}

export interface Live {
  revision: number;
  publishedAt: string;
  publishedBy?: string;
}

export interface Page {
  id: string;
  slug: string;
  state: PageState;
  version: number;
  revision: number;
  content: Content;
  contentHash: string;
  approval?: Approval | null;
  live?: Live | null;
  scheduledAt?: string | null;
  createdAt?: string;
  createdBy?: string;
  updatedAt?: string;
  updatedBy?: string;
  checks?: Check[];
  reviewBaseline?: number;
  unpublished?: { at: string; by: string; reason: string } | null;
  reviewIntervalDays?: number;
  reviewOverdue?: boolean;
}

/** A page as listed: the server may send a summary rather than the whole page. */
export interface PageSummary {
  id: string;
  slug: string;
  state: PageState;
  title?: string;
  content?: { title?: string; drug?: { name?: string } };
  revision?: number;
  version?: number;
  updatedAt?: string;
  updatedBy?: string;
  scheduledAt?: string | null;
  live?: Live | null;
  approval?: Approval | null;
  reviewOverdue?: boolean;
  nextReviewDue?: string;
}

export interface ListResponse<T> {
  data: T[];
  nextCursor?: string;
}

export interface RevisionSummary {
  number: number;
  author: string | { id?: string; name?: string; email?: string };
  authorName?: string;
  createdAt: string;
  contentHash: string;
  note?: string;
}

export interface Revision extends RevisionSummary {
  content: Content;
}

export interface AuditEvent {
  seq: number;
  at: string;
  actor: string | { id?: string; name?: string; email?: string };
  actorName?: string;
  action: string;
  pageId?: string;
  revision?: number;
  data?: Record<string, unknown> | null;
  prevHash?: string;
  hash?: string;
}

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
