import { InvalidArgumentError } from "./errors.js";
import type { OwnedFields } from "./values.js";

/**
 * Applies an update mask (AIP-134) to a resource. `fields` maps each snake_case path to the
 * domain property it writes. Map fields also take `map.key` paths that set or remove one entry.
 */
export interface MaskSpec<T> {
  /** snake_case path -> domain property (scalars and maps). */
  fields: Record<string, keyof T>;
  /** snake_case paths of map fields (a subset of fields). */
  maps: readonly string[];
}

const isDefault = (v: unknown) => v === undefined || v === "" || (typeof v === "object" && v !== null && Object.keys(v).length === 0);

/** Returns a copy of current with the masked fields taken from input. */
export function applyMask<T extends object, I extends object>(current: T, input: I, mask: string[] | null, spec: MaskSpec<T>): T {
  // The spec names properties by string: both objects are read and written as records.
  const from = input as Record<string, unknown>;
  const paths =
    mask === null
      ? Object.keys(spec.fields).filter((p) => !isDefault(from[spec.fields[p] as string]))
      : mask.includes("*")
        ? Object.keys(spec.fields)
        : mask;
  if (mask?.includes("*") && mask.length > 1) {
    throw InvalidArgumentError.field("update_mask", `"*" must be the only path`, "INVALID_UPDATE_MASK");
  }
  const next = { ...current } as Record<string, unknown>;
  for (const path of paths) {
    const direct = spec.fields[path];
    if (direct !== undefined) {
      const value = from[direct as string];
      // An enum left unspecified keeps its value under "*" and is an error when named explicitly.
      if (value === undefined && mask !== null && !mask.includes("*")) {
        throw InvalidArgumentError.field(path, "must be set when named in update_mask", "INVALID_UPDATE_MASK");
      }
      if (value !== undefined) next[direct as string] = spec.maps.includes(path) ? { ...(value as object) } : value;
      continue;
    }
    const dot = path.indexOf(".");
    const mapPath = dot > 0 ? path.slice(0, dot) : "";
    const key = path.slice(dot + 1);
    if (!spec.maps.includes(mapPath) || key === "") {
      throw InvalidArgumentError.field("update_mask", `unknown or read-only field path "${path}"`, "INVALID_UPDATE_MASK");
    }
    const prop = spec.fields[mapPath] as string;
    const source = from[prop] as Record<string, unknown>;
    const target = { ...(next[prop] as Record<string, unknown>) };
    if (key in source) target[key] = source[key];
    else delete target[key];
    next[prop] = target;
  }
  return next as T;
}

/** The update paths of resources with an owner, labels and a state (models, experiments). */
export const OWNED_MASK: MaskSpec<OwnedFields> = {
  fields: {
    display_name: "displayName",
    description: "description",
    owner: "owner",
    state: "state",
    labels: "labels",
    custom_properties: "customProperties",
  },
  maps: ["labels", "custom_properties"],
};
