import type { VersionInput } from "../../src/registry/core/inputs.js";
import type { Registry } from "../../src/registry/shared/registry.js";
import type { Properties } from "../../src/registry/core/types.js";
import { createModel } from "../../src/registry/models/models.js";
import { insertVersion } from "../../src/registry/versions/versions.js";
import { unitOf } from "../../src/registry/shared/registry.js";

const ctx = { actor: "seed" };

function versionInput(version: string, customProperties: Properties = {}): VersionInput {
  return { version, description: "", author: "", state: undefined, customProperties };
}

/**
 * Creates a model with n versions (`v0`…) straight through the registry, 1000 per transaction:
 * thousands of rows in a second or two, where as many RPCs would take far longer. Returns the
 * model's resource name and the versions' names.
 */
export async function seedVersions(registry: Registry, displayName: string, n: number, props: (i: number) => Properties = () => ({})) {
  const model = await createModel(
    registry,
    { displayName, description: "", owner: "", state: undefined, labels: {}, customProperties: {}, readme: "" },
    ctx,
  );
  const names = new Set<string>();
  for (let start = 0; start < n; start += 1000) {
    const batch = await unitOf(registry).write(async (w) => {
      const created = [];
      for (let i = start; i < Math.min(n, start + 1000); i++)
        created.push(await insertVersion(registry, w, model, versionInput(`v${i}`, props(i)), ctx));
      return created;
    });
    for (const v of batch) names.add(`registeredModels/${model.id}/versions/${v.id}`);
  }
  return { parent: `registeredModels/${model.id}`, names };
}
