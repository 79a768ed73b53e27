// Compile-time checks (tsc, in `npm run typecheck`): the answers the real server gave,
// recorded in test/fixtures/recorded.json, have exactly the fields the OpenAPI document
// declares. Renaming, adding or removing a delivered field in the document without the
// server (or the reverse, after re-recording) stops this file compiling.
import type { components } from "../src/generated/openapi.js";
import type { recorded } from "./replay.js";

type S = components["schemas"];
type R = typeof recorded;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
// The field names of an object type, or of each element of an array type.
type Keys<T> = T extends readonly (infer E)[] ? keyof E : keyof T;

export type Checks = [
  // The recorded page is a source page: `translation` is delivered on translations only.
  Expect<Equal<Keys<R["page"]["body"]> | "translation", keyof S["DeliveredPage"]>>,
  Expect<Equal<Keys<R["page"]["body"]["medicalReview"]>, keyof S["MedicalReview"]>>,
  Expect<Equal<Keys<R["page"]["body"]["medicalReview"]["reviewer"]>, keyof S["MedicalReview"]["reviewer"]>>,
  Expect<Equal<Keys<R["page"]["body"]["reviews"]>, keyof S["ReaderReviewStats"]>>,
  Expect<Equal<Keys<R["page"]["body"]["sections"]>, keyof S["RenderedSection"]>>,
  Expect<Equal<Keys<R["page"]["body"]["clinicalUses"]>, keyof S["RenderedClinicalUse"]>>,
  Expect<Equal<Keys<R["page"]["body"]["drug"]>, keyof S["DeliveredDrug"]>>,
  Expect<Equal<Keys<R["listFirst"]["body"]>, keyof S["DeliveredPageList"]>>,
  Expect<Equal<Keys<R["listFirst"]["body"]["data"]>, keyof S["DeliveredPageListItem"]>>,
  Expect<Equal<Keys<R["syncAll"]["body"]>, keyof S["SyncResponse"]>>,
  Expect<Equal<Keys<R["syncAll"]["body"]["changes"]>, keyof S["SyncChange"]>>,
  Expect<Equal<Keys<R["preview"]["body"]>, keyof S["PreviewPage"]>>,
  Expect<Equal<Keys<R["reviews"]["body"]["data"]>, keyof S["PublicReview"]>>,
];
