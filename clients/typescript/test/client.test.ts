import { describe, expect, it } from "vitest";
import { createClient, isMonographError, MemoryCache, MonographClient, MonographError } from "../src/index.js";
import { BASE, recorded, replay } from "./replay.js";

function client(extra?: Parameters<typeof replay>[0]) {
  const r = replay(extra);
  return { c: createClient({ baseUrl: BASE, fetch: r.fetch }), seen: r.seen };
}

async function failure(p: Promise<unknown>): Promise<MonographError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MonographError) return e;
    throw e;
  }
  throw new Error("expected a MonographError");
}

describe("getPage", () => {
  it("returns the live page as delivered", async () => {
    const { c, seen } = client();
    const p = await c.getPage("ketamine");
    expect(p.slug).toBe("ketamine");
    expect(p.medicalReview.reviewer.name).toBe("Rosa Reviewer");
    expect(p.sections[0]?.html).toContain("<p>");
    expect(seen[0]?.headers.get("Accept")).toBe("application/json");
    expect(seen[0]?.headers.has("If-None-Match")).toBe(false);
  });

  it("revalidates with If-None-Match and reuses the body on 304", async () => {
    const { c, seen } = client();
    const first = await c.fetchPage("ketamine");
    const again = await c.fetchPage("ketamine");
    expect(first.notModified).toBe(false);
    expect(again.notModified).toBe(true);
    expect(seen[1]?.headers.get("If-None-Match")).toBe(recorded.page.headers.etag);
    expect(again.value).toEqual(first.value);
  });

  it("sends no validator when caching is off", async () => {
    const r = replay();
    const c = new MonographClient({ baseUrl: BASE, fetch: r.fetch, cache: false });
    await c.getPage("ketamine");
    await c.getPage("ketamine");
    expect(r.seen.map((s) => s.headers.has("If-None-Match"))).toEqual([false, false]);
  });

  it.each([
    ["no-such-page", 404, "not_found"],
    ["arketamine", 410, "gone"],
  ])("%s → %d %s as a typed problem", async (slug, status, code) => {
    const { c } = client();
    const e = await failure(c.getPage(slug));
    expect(e.status).toBe(status);
    expect(e.code).toBe(code);
    expect(e.problem.type).toBe(`https://monograph.dev/problems/${code}`);
    expect(isMonographError(e, code)).toBe(true);
  });

  it("drops the cached copy of a page that went away", async () => {
    const cache = new MemoryCache();
    const url = `${BASE}/api/v1/pages/arketamine`;
    cache.set(url, { etag: '"old"', value: { slug: "arketamine" } });
    const r = replay();
    const c = createClient({ baseUrl: BASE, fetch: r.fetch, cache });
    await failure(c.getPage("arketamine"));
    expect(cache.get(url)).toBeUndefined();
  });

  it("encodes the slug so it cannot reach another route", async () => {
    const { c, seen } = client();
    await failure(c.getPage("../manage/users?x=1"));
    expect(seen[0]?.path).toBe("/api/v1/pages/..%2Fmanage%2Fusers%3Fx%3D1");
    await expect(c.getPage("")).rejects.toThrow(TypeError);
  });

  it("asks for and returns the JSON-LD document", async () => {
    const { c, seen } = client();
    const ld = await c.getPageJsonLd("ketamine");
    expect(ld["@type"]).toBe("MedicalWebPage");
    expect(ld.reviewedBy.name).toBe("Rosa Reviewer");
    expect(seen[0]?.headers.get("Accept")).toBe("application/ld+json");
  });
});

describe("listPages", () => {
  it("follows the cursors", async () => {
    const { c, seen } = client();
    const slugs: string[] = [];
    for await (const p of c.listPages({ limit: 1 })) slugs.push(p.slug);
    expect(slugs).toEqual(["esketamine", "ketamine"]);
    expect(seen.map((s) => s.path)).toEqual([recorded.listFirst.path, recorded.listNext.path]);
  });

  it("asks for the next answer only when the previous one is used up", async () => {
    const { c, seen } = client();
    for await (const p of c.listPages({ limit: 1 })) {
      expect(p.slug).toBe("esketamine");
      break;
    }
    expect(seen).toHaveLength(1);
  });

  it("reports the failing field of a bad query", async () => {
    const { c } = client();
    const e = await failure(c.listPage({ limit: 0 }));
    expect(e.status).toBe(400);
    expect(e.code).toBe("invalid");
    expect(e.fieldErrors).toEqual([{ field: "limit", message: "an integer between 1 and 100" }]);
  });
});

describe("sync", () => {
  it("lists every live page without since", async () => {
    const { c } = client();
    const s = await c.sync();
    expect(s.changes.map((x) => [x.slug, x.change])).toEqual([
      ["ketamine", "published"],
      ["esketamine", "published"],
    ]);
    expect(s.next).toBe(recorded.syncAll.body.next);
  });

  it("lists changes, unpublications included, since a token", async () => {
    const { c, seen } = client();
    const s = await c.sync(recorded.syncAll.body.next);
    expect(seen[0]?.path).toBe(recorded.syncSince.path);
    expect(s.changes.find((x) => x.slug === "arketamine")?.change).toBe("unpublished");
  });

  it("reports a bad token as the since field", async () => {
    const { c } = client();
    const e = await failure(c.sync("not-a-token"));
    expect(e.fieldErrors[0]?.field).toBe("since");
  });
});

describe("reader reviews", () => {
  it("iterates the approved reviews", async () => {
    const { c } = client();
    const all = [];
    for await (const r of c.reviews("ketamine")) all.push(r);
    expect(all.map((r) => [r.name, r.rating, r.kind])).toEqual([["Sam", 4, "reader_opinion"]]);
  });

  it("posts a review as JSON and gets it held for moderation", async () => {
    const { c, seen } = client();
    const r = await c.submitReview("ketamine", { name: "Ana", rating: 5, body: "Answered my questions." });
    expect(r.state).toBe("pending");
    expect(seen[0]?.method).toBe("POST");
    expect(seen[0]?.headers.get("Content-Type")).toBe("application/json");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual(recorded.reviewAccepted.requestBody);
  });

  it("names the invalid field", async () => {
    const { c } = client();
    const e = await failure(c.submitReview("ketamine", { name: "Ana", rating: 9, body: "x" }));
    expect(e.fieldErrors.map((f) => f.field)).toEqual(["rating"]);
  });
});

describe("preview", () => {
  const id = recorded.preview.path.split("/")[5]!.split("?")[0]!;

  it("shows the working copy, marked as a preview, and never caches it", async () => {
    const cache = new MemoryCache();
    const r = replay();
    const c = createClient({ baseUrl: BASE, fetch: r.fetch, cache });
    const p = await c.getPreview(id, "TOKEN");
    expect(p.preview).toBe(true);
    expect(p.sections[0]?.body).toContain("DRAFT");
    await c.getPreview(id, "TOKEN");
    expect(r.seen.every((s) => !s.headers.has("If-None-Match"))).toBe(true);
    expect(cache.size).toBe(0);
  });

  it("reads a preview link", async () => {
    const { c, seen } = client();
    const p = await c.getPreviewFromUrl(`/api/v1/preview/pages/${id}?token=TOKEN`);
    expect(p.state).toBe("draft");
    expect(seen[0]?.path).toBe(recorded.preview.path);
    expect(() => c.getPreviewFromUrl("/api/v1/pages/ketamine")).toThrow(TypeError);
  });

  it("refuses a bad token as unauthorized", async () => {
    const { c } = client();
    const e = await failure(c.getPreview(id, "expired"));
    expect([e.status, e.code]).toEqual([401, "unauthorized"]);
  });
});

describe("errors", () => {
  const base = { method: "GET", requestHeaders: {}, body: null };

  it("turns an answer that is not problem+json into an unexpected_response problem", async () => {
    const c = createClient({
      baseUrl: BASE,
      fetch: async () => new Response("<html>Bad Gateway</html>", { status: 502, statusText: "Bad Gateway", headers: { "Content-Type": "text/html" } }),
    });
    const e = await failure(c.getPage("ketamine"));
    expect([e.status, e.code, e.problem.title]).toEqual([502, "unexpected_response", "Bad Gateway"]);
  });

  it("reads Retry-After of a 429", async () => {
    const { c } = client([
      {
        ...base,
        method: "POST",
        path: "/api/v1/pages/ketamine/reviews",
        requestHeaders: {},
        status: 429,
        headers: { "content-type": "application/problem+json", "retry-after": "17" },
        body: { type: "https://monograph.dev/problems/rate_limited", title: "Too Many Requests", status: 429, code: "rate_limited", detail: "slow down" },
      },
    ]);
    const e = await failure(c.submitReview("ketamine", { name: "A", rating: 1, body: "b" }));
    expect([e.code, e.retryAfter]).toEqual(["rate_limited", 17]);
  });

  it("refuses a relative base URL", () => {
    expect(() => createClient({ baseUrl: "/api" })).toThrow(TypeError);
  });
});

describe("MemoryCache", () => {
  it("drops the least recently used entry first", () => {
    const c = new MemoryCache(2);
    c.set("a", { etag: "1", value: 1 });
    c.set("b", { etag: "2", value: 2 });
    c.get("a");
    c.set("c", { etag: "3", value: 3 });
    expect([c.get("a")?.value, c.get("b"), c.get("c")?.value]).toEqual([1, undefined, 3]);
    expect(() => new MemoryCache(0)).toThrow(RangeError);
  });
});
