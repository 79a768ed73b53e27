// A small checker of JSON values against the server's OpenAPI document, for the
// integration tests: what the live server answers must match the schema the client's types
// are generated from, field for field. Stricter than JSON Schema on purpose: an object
// member the document does not declare is reported, so the document cannot lag the server.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

type Schema = Record<string, unknown>;

export const openapi = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../../internal/httpapi/openapi.json", import.meta.url)), "utf8"),
) as { components: { schemas: Record<string, Schema> } };

/** The problems of value against components.schemas[name]; empty when it conforms. */
export function conform(name: string, value: unknown): string[] {
  const errs: string[] = [];
  check({ $ref: `#/components/schemas/${name}` }, value, name, errs);
  return errs;
}

function resolve(s: Schema): Schema {
  while (typeof s.$ref === "string") {
    const name = s.$ref.replace("#/components/schemas/", "");
    const next = openapi.components.schemas[name];
    if (!next) throw new Error(`unknown $ref ${s.$ref}`);
    s = next;
  }
  return s;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function check(schema: Schema, v: unknown, at: string, errs: string[]): void {
  const s = resolve(schema);
  for (const key of ["oneOf", "anyOf"] as const) {
    const alts = s[key] as Schema[] | undefined;
    if (alts) {
      const ok = alts.some((alt) => {
        const e: string[] = [];
        check(alt, v, at, e);
        return e.length === 0;
      });
      if (!ok) errs.push(`${at}: matches none of ${key}`);
      return;
    }
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const t = typeOf(v);
    if (!types.includes(t) && !(t === "integer" && types.includes("number"))) {
      errs.push(`${at}: ${t}, want ${types.join("|")}`);
      return;
    }
  }
  if (s.const !== undefined && v !== s.const) errs.push(`${at}: ${JSON.stringify(v)}, want ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(v)) errs.push(`${at}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
  if (Array.isArray(v) && s.items) v.forEach((x, i) => check(s.items as Schema, x, `${at}[${i}]`, errs));
  if (typeOf(v) === "object" && s.properties) {
    const o = v as Record<string, unknown>;
    const props = s.properties as Record<string, Schema>;
    for (const r of (s.required as string[] | undefined) ?? []) {
      if (!(r in o)) errs.push(`${at}.${r}: required by the document, missing in the answer`);
    }
    for (const [k, x] of Object.entries(o)) {
      if (!(k in props)) errs.push(`${at}.${k}: in the answer, not in the document`);
      else check(props[k]!, x, `${at}.${k}`, errs);
    }
  }
}
