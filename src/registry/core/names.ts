import { InvalidArgumentError } from "./errors.js";

/**
 * Resource names (AIP-122). Ids are server-assigned decimals; the last segment of a version
 * name may also be `latest` or `@alias`.
 */

export const modelName = (modelId: number) => `registeredModels/${modelId}`;
export const versionName = (modelId: number, versionId: number) => `${modelName(modelId)}/versions/${versionId}`;
export const artifactName = (modelId: number, versionId: number, artifactId: number) => `${versionName(modelId, versionId)}/artifacts/${artifactId}`;
/** The name of a model artifact linked to no version yet (created standalone over REST). */
export const unlinkedArtifactName = (artifactId: number) => `artifacts/${artifactId}`;

/** The resource name of a model artifact: under its version, or `artifacts/{id}` while it has none. */
export function artifactNameOf(a: { id: number; modelId: number | null; versionId: number | null }): string {
  return a.modelId === null || a.versionId === null ? unlinkedArtifactName(a.id) : artifactName(a.modelId, a.versionId, a.id);
}

/** How a model artifact is addressed: under its version, or as `artifacts/{id}` (linked to no version). */
export type ArtifactRef = { kind: "linked"; modelId: number; versionId: number; artifactId: number } | { kind: "unlinked"; artifactId: number };

/** The name an ArtifactRef was parsed from. */
export const artifactRefName = (ref: ArtifactRef) =>
  ref.kind === "linked" ? artifactName(ref.modelId, ref.versionId, ref.artifactId) : unlinkedArtifactName(ref.artifactId);

/** How a version is addressed: by id, by the client's version string, as the newest, or by alias. */
export type VersionSelector =
  | { kind: "id"; id: number }
  | { kind: "version"; version: string }
  | { kind: "latest" }
  | { kind: "alias"; alias: string };

export interface VersionRef {
  model: { id: number } | { displayName: string };
  selector: VersionSelector;
}

const ID = /^[1-9][0-9]{0,15}$/;

/**
 * A resource id written in decimal, or undefined when the text is not one. Ids are positive and
 * at most Number.MAX_SAFE_INTEGER: a longer one would be rounded to a neighbouring id
 * (9007199254740993 to …992), so it names nothing instead.
 */
export function decimalId(text: string | undefined): number | undefined {
  if (text === undefined || !ID.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

function parseId(segment: string | undefined, field: string, pattern: string): number {
  const id = decimalId(segment);
  if (id === undefined) throw InvalidArgumentError.field(field, `expected ${pattern} with decimal ids`, "INVALID_NAME");
  return id;
}

/** Parses `registeredModels/{id}`. */
export function parseModelName(name: string, field = "name"): number {
  const parts = name.split("/");
  if (parts.length !== 2 || parts[0] !== "registeredModels") {
    throw InvalidArgumentError.field(field, "expected registeredModels/{registered_model}", "INVALID_NAME");
  }
  return parseId(parts[1], field, "registeredModels/{registered_model}");
}

/** Parses `registeredModels/-` (every model) or `registeredModels/{id}`. */
export function parseModelParent(parent: string, field = "parent"): number | undefined {
  if (parent === "registeredModels/-") return undefined;
  return parseModelName(parent, field);
}

/** Parses the last segment of a version name: an id, `latest` or `@alias`. */
export function parseVersionSegment(segment: string | undefined, field: string): VersionSelector {
  if (segment === "latest") return { kind: "latest" };
  if (segment?.startsWith("@")) {
    const alias = segment.slice(1);
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(alias)) {
      throw InvalidArgumentError.field(field, "alias must match [a-z][a-z0-9-]* (at most 63 characters)", "INVALID_NAME");
    }
    return { kind: "alias", alias };
  }
  return { kind: "id", id: parseId(segment, field, "registeredModels/{registered_model}/versions/{version}") };
}

/** Parses `registeredModels/{id}/versions/{id|latest|@alias}`. */
export function parseVersionName(name: string, field = "name"): VersionRef {
  const parts = name.split("/");
  if (parts.length !== 4 || parts[0] !== "registeredModels" || parts[2] !== "versions") {
    throw InvalidArgumentError.field(field, "expected registeredModels/{registered_model}/versions/{version}", "INVALID_NAME");
  }
  return {
    model: { id: parseId(parts[1], field, "registeredModels/{registered_model}/versions/{version}") },
    selector: parseVersionSegment(parts[3], field),
  };
}

/** Parses `registeredModels/{id}/versions/{id}/artifacts/{id}`, or `artifacts/{id}` (an artifact linked to no version). */
export function parseArtifactName(name: string, field = "name"): ArtifactRef {
  const parts = name.split("/");
  const pattern = "registeredModels/{m}/versions/{v}/artifacts/{artifact} or artifacts/{artifact}";
  if (parts.length === 2 && parts[0] === "artifacts") return { kind: "unlinked", artifactId: parseId(parts[1], field, pattern) };
  if (parts.length !== 6 || parts[0] !== "registeredModels" || parts[2] !== "versions" || parts[4] !== "artifacts") {
    throw InvalidArgumentError.field(field, `expected ${pattern}`, "INVALID_NAME");
  }
  return {
    kind: "linked",
    modelId: parseId(parts[1], field, pattern),
    versionId: parseId(parts[3], field, pattern),
    artifactId: parseId(parts[5], field, pattern),
  };
}
