// The client against the real server: bin/monograph serve --demo on a temporary data dir
// and a free port (scripts/monograph-test-server.mjs), driven through the real sign-off
// workflow over HTTP.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as m from "../../../../scripts/monograph-test-server.mjs";
import { createClient, MonographError, verifyWebhook, type MonographClient } from "../../src/index.js";
import { conform } from "./schema.js";

let server: Awaited<ReturnType<typeof m.startServer>>;
let client: MonographClient;

beforeAll(async () => {
  server = await m.startServer();
  client = createClient({ baseUrl: server.url });
});
afterAll(async () => {
  await server?.stop();
});

async function failure(p: Promise<unknown>): Promise<MonographError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MonographError) return e;
    throw e;
  }
  throw new Error("expected a MonographError");
}

function content(name: string, overview: string) {
  return {
    title: `${name} – Medical Uses & Safety`,
    summary: `${name}: an overview.`,
    drug: { name, drugClasses: ["NMDA receptor antagonist"] },
    sections: [{ key: "overview", title: `What is ${name}?`, body: overview }],
    references: [{ title: "Label", url: "https://example.org/label", publisher: "Example", year: 2024 }],
    disclaimer: "Not medical advice.",
  };
}

describe("delivery, as the document describes it", () => {
  it("serves the ketamine page in exactly the documented shape", async () => {
    const page = await client.getPage("ketamine");
    expect(conform("DeliveredPage", page)).toEqual([]);
    expect(page.medicalReview.reviewer).toEqual({ name: "Rosa Reviewer", credentials: "MD" });
    expect(conform("JsonLdPage", await client.getPageJsonLd("ketamine"))).toEqual([]);
    expect(conform("DeliveredPageList", await client.listPage())).toEqual([]);
    expect(conform("SyncResponse", await client.sync())).toEqual([]);
  });

  it("reuses a page on 304 and sees a new revision once one is published", async () => {
    const first = await client.fetchPage("ketamine");
    const again = await client.fetchPage("ketamine");
    expect(again.notModified).toBe(true);
    expect(again.value).toEqual(first.value);

    await m.publishEdit(server.url, "ketamine", (c: { summary: string }) => ({ ...c, summary: "A revised summary." }));
    const fresh = await client.fetchPage("ketamine");
    expect(fresh.notModified).toBe(false);
    expect(fresh.value.summary).toBe("A revised summary.");
    expect(fresh.value.revision).toBeGreaterThan(first.value.revision);
  });

  it("never delivers a draft, which a preview link does show", async () => {
    const draft = await m.saveDraft(server.url, "ketamine", (c: { summary: string }) => ({ ...c, summary: "UNSIGNED DRAFT" }));
    expect((await client.getPage("ketamine")).summary).not.toContain("UNSIGNED");
    const pt = await m.previewToken(server.url, "ketamine");
    const preview = await client.getPreviewFromUrl(pt.url);
    expect(preview.preview).toBe(true);
    expect(preview.summary).toBe("UNSIGNED DRAFT");
    expect(preview.revision).toBe(draft.revision);
    expect(conform("PreviewPage", preview)).toEqual([]);
    const e = await failure(client.getPreview(pt.id, pt.token + "x"));
    expect(e.code).toBe("unauthorized");
  });

  it("iterates every page across cursors and reports unpublished ones as gone", async () => {
    await m.createAndPublish(server.url, "esketamine", content("Esketamine", "The S-enantiomer."));
    await m.createAndPublish(server.url, "arketamine", content("Arketamine", "The R-enantiomer."));
    const slugs: string[] = [];
    for await (const p of client.listPages({ limit: 1 })) slugs.push(p.slug);
    // ketamina is the demo's live Spanish translation of ketamine.
    expect(slugs).toEqual(["arketamine", "esketamine", "ketamina", "ketamine"]);

    await client.getPage("arketamine");
    await m.unpublish(server.url, "arketamine");
    const e = await failure(client.getPage("arketamine"));
    expect([e.status, e.code]).toEqual([410, "gone"]);
    const feed = await client.sync("djE6MA"); // since change 0: every change
    expect(feed.changes.find((c) => c.slug === "arketamine")?.change).toBe("unpublished");
    expect((await failure(client.getPage("never-published"))).code).toBe("not_found");
  });

  it("submits reader reviews for moderation and names invalid fields", async () => {
    const ok = await client.submitReview("ketamine", { name: "Ana", rating: 5, body: "Helpful." });
    expect(ok.state).toBe("pending");
    const e = await failure(client.submitReview("ketamine", { name: "Ana", rating: 0, body: "Helpful." }));
    expect(e.fieldErrors.map((f) => f.field)).toContain("rating");
    await m.approvedReview(server.url, "ketamine", { name: "Sam", rating: 4, body: "Clear." });
    const all = [];
    for await (const r of client.reviews("ketamine")) all.push(r.name);
    expect(all).toEqual(["Sam"]);
  });
});

describe("webhooks", () => {
  let receiver: Server;
  const got: { header: string; body: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        got.push({ header: String(req.headers["monograph-signature"] ?? ""), body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  });
  afterAll(() => {
    receiver.close();
  });

  it("verifies a real delivery with the secret shown at registration", async () => {
    const addr = receiver.address() as { port: number };
    const hook = await m.registerWebhook(server.url, `http://127.0.0.1:${addr.port}/hook`, ["page.published"]);
    await m.publishEdit(server.url, "esketamine", (c: { summary: string }) => ({ ...c, summary: "Webhook test." }));
    // Events of earlier publications may be fanned out to the new webhook too: wait for this one.
    const mine = () => got.find((g) => g.body.includes('"slug":"esketamine"'));
    const until = Date.now() + 30_000;
    while (!mine() && Date.now() < until) await m.sleep(50);
    const d = mine();
    if (!d) throw new Error(`no delivery for esketamine within 30 s (got ${got.length})`);
    const payload = await verifyWebhook({ secret: hook.secret, header: d.header, body: d.body });
    expect([payload.event, payload.slug]).toEqual(["page.published", "esketamine"]);
    await expect(verifyWebhook({ secret: hook.secret + "x", header: d.header, body: d.body })).rejects.toMatchObject({ reason: "mismatch" });
  });
});
