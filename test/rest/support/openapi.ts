import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { parse } from "yaml";

/**
 * Kubeflow's OpenAPI document (test/rest/kubeflow-openapi/model-registry.yaml) as the oracle of
 * the REST suite: operations by operationId, their declared status codes, and a JSON-schema
 * validator of their response bodies. OpenAPI 3.0 specifics are handled here: `discriminator`
 * with a mapping becomes if/then on the discriminating property (Kubeflow's artifact subtypes
 * share every field, so plain oneOf cannot tell them apart), `format`s are checked (int64/int32
 * strings are decimal, byte is base64), and annotations (example, readOnly, links) are ignored.
 */

type Json = any;

export const SPEC: Json = parse(readFileSync(new URL("../kubeflow-openapi/model-registry.yaml", import.meta.url), "utf8"));

export interface Operation {
  operationId: string;
  method: "GET" | "POST" | "PATCH";
  /** The full path template, e.g. /api/model_registry/v1alpha3/registered_models/{registeredmodelId}. */
  path: string;
  /** Declared status codes -> the response's JSON schema $ref (or null without a body). */
  responses: Map<number, string | null>;
}

export const OPERATIONS: Map<string, Operation> = new Map();
for (const [path, item] of Object.entries<Json>(SPEC.paths)) {
  for (const method of ["get", "post", "patch", "put", "delete"]) {
    const op = item[method];
    if (!op) continue;
    const responses = new Map<number, string | null>();
    for (const [status, response] of Object.entries<Json>(op.responses)) {
      const resolved = response.$ref ? SPEC.components.responses[String(response.$ref).split("/").pop()!] : response;
      responses.set(Number(status), resolved?.content?.["application/json"]?.schema?.$ref ?? null);
    }
    OPERATIONS.set(op.operationId, { operationId: op.operationId, method: method.toUpperCase() as Operation["method"], path, responses });
  }
}

/** Rewrites oneOf+discriminator.mapping into if/then branches selected by the discriminator's value. */
function rewrite(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewrite);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = rewrite(v);
  if (out.discriminator?.mapping && out.oneOf) {
    const property: string = out.discriminator.propertyName;
    const mapping: Record<string, string> = out.discriminator.mapping;
    delete out.discriminator;
    delete out.oneOf;
    out.type = "object";
    out.required = [property];
    out.properties = { [property]: { enum: Object.keys(mapping) } };
    out.allOf = Object.entries(mapping).map(([value, ref]) => ({
      if: { properties: { [property]: { const: value } }, required: [property] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords, not a thenable
      then: { $ref: ref },
    }));
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat("int64", { type: "string", validate: /^-?[0-9]+$/ });
ajv.addFormat("int32", { type: "string", validate: /^-?[0-9]{1,10}$/ });
ajv.addFormat("double", { type: "number", validate: (n: number) => Number.isFinite(n) });
ajv.addFormat("byte", { type: "string", validate: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/ });
ajv.addFormat("uri", { type: "string", validate: (s: string) => URL.canParse(s) });
ajv.addSchema({ $id: "kubeflow", components: { schemas: rewrite(SPEC.components.schemas) } });

const validators = new Map<string, ValidateFunction>();

/** Validates a value against a component schema ("#/components/schemas/X" or "X"); returns the errors. */
export function schemaErrors(ref: string, value: unknown): ErrorObject[] {
  const pointer = ref.startsWith("#") ? ref : `#/components/schemas/${ref}`;
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.getSchema(`kubeflow${pointer}`);
    if (!validate) throw new Error(`no schema ${pointer} in the OpenAPI document`);
    validators.set(pointer, validate);
  }
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
