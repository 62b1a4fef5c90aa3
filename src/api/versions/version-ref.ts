import { InvalidArgumentError } from "../../registry/core/errors.js";
import { MODEL_URI_SCHEME, parseModelUri } from "../../registry/core/resource-names.js";
import { parseVersionName, parseVersionSegment, type VersionRef } from "../../registry/core/names.js";
import { exactlyOne } from "../shared/call-context.js";

/** A version addressed by name, or by the model's display name and a version string (as in GetModelVersion). */
export function versionRef(req: { name: string; registeredModelDisplayName: string; version: string }): VersionRef {
  const which = exactlyOne({ name: req.name, registered_model_display_name: req.registeredModelDisplayName });
  if (which === "name") return parseVersionName(req.name);
  if (req.version === "") throw InvalidArgumentError.field("version", "is required with registered_model_display_name");
  const selector =
    req.version === "latest" || req.version.startsWith("@")
      ? parseVersionSegment(req.version, "version")
      : { kind: "version" as const, version: req.version };
  return { model: { displayName: req.registeredModelDisplayName }, selector };
}

/** A version given as a resource name or as a `model-registry://` URI. */
export function versionNameOrUri(value: string, field: string): VersionRef {
  return value.startsWith(MODEL_URI_SCHEME) ? parseModelUri(value, field) : parseVersionName(value, field);
}
