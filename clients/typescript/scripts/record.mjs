// Records the real server's answers for the unit tests: `npm run record` starts
// bin/monograph --demo (see scripts/monograph-test-server.mjs), makes a few pages, a draft,
// a reader review, a preview token and a webhook delivery, and writes every answer the
// tests replay to test/fixtures/recorded.json. Re-run it when the delivery API changes.
import { createServer } from "node:http";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as m from "../../../scripts/monograph-test-server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "test", "fixtures", "recorded.json");
const KEEP = ["content-type", "etag", "cache-control", "last-modified", "retry-after", "x-robots-tag", "vary"];

// One language: the recorded lists, cursors and sync feed hold the source pages only (the
// demo adds a Spanish translation when Spanish is configured).
const server = await m.startServer({ env: { MONOGRAPH_LOCALES: "en" } });
const hooks = [];
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(204).end();
  });
});
try {
  const url = server.url;
  const recorded = {};
  const rec = async (name, method, path, { body, headers = {}, redact } = {}) => {
    const r = await m.call(url, "", method, path, body, headers);
    const h = {};
    for (const k of KEEP) {
      const v = r.headers.get(k);
      if (v !== null) h[k] = v;
    }
    recorded[name] = {
      method,
      path: redact ? path.replace(redact, "TOKEN") : path,
      requestHeaders: headers,
      ...(body === undefined ? {} : { requestBody: body }),
      status: r.status,
      headers: h,
      body: r.json ?? null,
    };
    return r;
  };

  // A second and a third page, so lists have a next cursor and the feed an unpublication.
  await m.createAndPublish(url, "esketamine", sample("Esketamine", "Esketamine is the S-enantiomer of ketamine."));
  await m.createAndPublish(url, "arketamine", sample("Arketamine", "Arketamine is the R-enantiomer of ketamine."));
  const before = (await m.call(url, "", "GET", "/api/v1/sync")).json.next;
  await m.unpublish(url, "arketamine");
  await m.approvedReview(url, "ketamine", { name: "Sam", rating: 4, body: "Clear and useful." });
  await m.saveDraft(url, "ketamine", (c) => {
    c.sections[0].body += "\n\nDRAFT: text no reviewer has signed.";
    return c;
  });

  const page = await rec("page", "GET", "/api/v1/pages/ketamine", { headers: { "Accept-Encoding": "identity" } });
  await rec("pageNotModified", "GET", "/api/v1/pages/ketamine", {
    headers: { "Accept-Encoding": "identity", "If-None-Match": page.headers.get("etag") },
  });
  await rec("jsonld", "GET", "/api/v1/pages/ketamine?format=jsonld", { headers: { "Accept-Encoding": "identity" } });
  await rec("notFound", "GET", "/api/v1/pages/no-such-page");
  await rec("gone", "GET", "/api/v1/pages/arketamine");
  const first = await rec("listFirst", "GET", "/api/v1/pages?limit=1");
  await rec("listNext", "GET", `/api/v1/pages?limit=1&cursor=${first.json.nextCursor}`);
  await rec("listInvalid", "GET", "/api/v1/pages?limit=0");
  await rec("syncAll", "GET", "/api/v1/sync");
  await rec("syncSince", "GET", `/api/v1/sync?since=${before}`);
  await rec("syncInvalid", "GET", "/api/v1/sync?since=not-a-token");
  await rec("reviews", "GET", "/api/v1/pages/ketamine/reviews");
  await rec("reviewAccepted", "POST", "/api/v1/pages/ketamine/reviews", {
    body: { name: "Ana", rating: 5, body: "Answered my questions." },
  });
  await rec("reviewInvalid", "POST", "/api/v1/pages/ketamine/reviews", { body: { name: "Ana", rating: 9, body: "x" } });
  const pt = await m.previewToken(url, "ketamine");
  await rec("preview", "GET", `/api/v1/preview/pages/${pt.id}?token=${pt.token}`, { redact: pt.token });
  await rec("previewDenied", "GET", `/api/v1/preview/pages/${pt.id}?token=expired`);

  // One real webhook delivery, with the secret that signed it.
  const port = await m.freePort();
  await new Promise((r) => receiver.listen(port, "127.0.0.1", r));
  const hook = await m.registerWebhook(url, `http://127.0.0.1:${port}/hook`, ["page.published"]);
  await m.publishEdit(url, "esketamine", (c) => {
    c.summary = "Updated summary.";
    return c;
  });
  // Events of earlier publications may reach the new webhook too: wait for this one.
  const mine = () => hooks.find((h) => h.body.includes('"slug":"esketamine"'));
  const until = Date.now() + 30_000;
  while (!mine() && Date.now() < until) await m.sleep(50);
  const d = mine();
  if (!d) throw new Error("no webhook delivery within 30 s");
  recorded.webhook = {
    secret: hook.secret,
    headers: {
      "monograph-signature": d.headers["monograph-signature"],
      "monograph-event": d.headers["monograph-event"],
      "monograph-event-id": d.headers["monograph-event-id"],
      "content-type": d.headers["content-type"],
    },
    rawBody: d.body,
  };

  writeFileSync(out, JSON.stringify(recorded, null, 2) + "\n");
  console.log(`recorded ${Object.keys(recorded).length} answers into ${out}`);
} finally {
  receiver.close();
  await server.stop();
}

function sample(name, overview) {
  return {
    title: `${name} – Medical Uses & Safety`,
    summary: `${name}: an overview for patients.`,
    drug: { name, genericName: name.toLowerCase(), drugClasses: ["NMDA receptor antagonist"] },
    sections: [{ key: "overview", title: `What is ${name.toLowerCase()}?`, body: overview }],
    references: [{ title: "Prescribing information", url: "https://example.org/label", publisher: "Example", year: 2024 }],
    disclaimer: "For information only; not medical advice.",
    tags: ["psychiatry"],
  };
}
