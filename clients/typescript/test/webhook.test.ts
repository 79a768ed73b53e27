import { describe, expect, it } from "vitest";
import { parseSignatureHeader, signWebhook, timingSafeEqual, verifyWebhook, WebhookVerificationError } from "../src/index.js";
import { recorded } from "./replay.js";

// A delivery the real server sent (recorded with its secret by `npm run record`).
const { secret, rawBody } = recorded.webhook;
const header = recorded.webhook.headers["monograph-signature"];
const sentAt = Number(/t=(\d+)/.exec(header)![1]) * 1000;

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WebhookVerificationError) return e.reason;
    throw e;
  }
  return "accepted";
}

describe("verifyWebhook", () => {
  it("accepts the server's delivery and returns its payload", async () => {
    const p = await verifyWebhook({ secret, header, body: rawBody, now: sentAt + 1000 });
    expect(p.event).toBe("page.published");
    expect(p.id).toBe(recorded.webhook.headers["monograph-event-id"]);
    expect(p.slug).toBe("esketamine");
  });

  it("computes the header exactly as the server does", async () => {
    expect(await signWebhook(secret, rawBody, sentAt)).toBe(header);
  });

  it("accepts the raw body as bytes", async () => {
    const p = await verifyWebhook({ secret, header, body: new TextEncoder().encode(rawBody), now: sentAt });
    expect(p.slug).toBe("esketamine");
  });

  const cases: [string, Partial<Parameters<typeof verifyWebhook>[0]>, string][] = [
    ["within the tolerance, before", { now: sentAt - 299_000 }, "accepted"],
    ["within the tolerance, after", { now: sentAt + 300_000 }, "accepted"],
    ["too old: a replay", { now: sentAt + 301_000 }, "timestamp"],
    ["too far in the future", { now: sentAt - 301_000 }, "timestamp"],
    ["a tighter tolerance", { now: sentAt + 11_000, toleranceSeconds: 10 }, "timestamp"],
    ["another secret", { secret: secret + "x" }, "mismatch"],
    ["a changed body", { body: rawBody.replace("esketamine", "ketamine") }, "mismatch"],
    ["the body parsed and re-serialised", { body: JSON.stringify(JSON.parse(rawBody), null, 1) }, "mismatch"],
    ["no header", { header: null }, "no_signature"],
    ["an empty header", { header: "" }, "no_signature"],
    ["no v1", { header: header.replace(/,v1=.*/, "") }, "no_signature"],
    ["no timestamp", { header: header.replace(/t=\d+,/, "") }, "no_signature"],
    ["a short signature", { header: header.slice(0, -2) }, "no_signature"],
    ["a signature that is not hex", { header: header.slice(0, -2) + "zz" }, "no_signature"],
    ["a signature for another time", { header: header.replace(/t=(\d+)/, (_, t) => `t=${Number(t) + 1}`) }, "mismatch"],
    ["a wrong v1 beside the right one", { header: header.replace("v1=", `v1=${"0".repeat(64)},v1=`) }, "accepted"],
  ];
  it.each(cases)("%s", async (_, change, want) => {
    expect(await reason(verifyWebhook({ secret, header, body: rawBody, now: sentAt, ...change }))).toBe(want);
  });

  it("refuses a correctly signed body that is not a payload", async () => {
    const body = "[1,2,3]";
    const h = await signWebhook(secret, body, sentAt);
    expect(await reason(verifyWebhook({ secret, header: h, body, now: sentAt }))).toBe("invalid_body");
  });

  it("uses the clock by default", async () => {
    const h = await signWebhook(secret, rawBody);
    await expect(verifyWebhook({ secret, header: h, body: rawBody })).resolves.toMatchObject({ slug: "esketamine" });
    const old = await signWebhook(secret, rawBody, Date.now() - 301_000);
    expect(await reason(verifyWebhook({ secret, header: old, body: rawBody }))).toBe("timestamp");
  });
});

describe("parseSignatureHeader", () => {
  it("reads the timestamp as sent and every valid v1", () => {
    const p = parseSignatureHeader(` t=1796093198 , v1=${"ab".repeat(32)},v0=zz,v1=${"cd".repeat(32)}`);
    expect(p?.timestampText).toBe("1796093198");
    expect(p?.signatures).toHaveLength(2);
  });
});

describe("timingSafeEqual", () => {
  it.each([
    [[1, 2, 3], [1, 2, 3], true],
    [[1, 2, 3], [1, 2, 4], false],
    [[1, 2, 3], [1, 2], false],
    [[], [], true],
  ])("%j = %j → %s", (a, b, want) => {
    expect(timingSafeEqual(Uint8Array.from(a), Uint8Array.from(b))).toBe(want);
  });
});
