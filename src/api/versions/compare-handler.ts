import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type ComparisonRow as PbComparisonRow,
  ComparisonRowSchema,
  CompareModelVersionsResponseSchema,
  MetricDirection,
} from "../../../gen/modelregistry/v1/compare_pb.js";
import type { ModelRegistryService } from "../../../gen/modelregistry/v1/model_registry_service_pb.js";
import { type ComparisonRow, compareVersions, MAX_COMPARED_VERSIONS } from "../../registry/versions/compare-versions.js";
import { InvalidArgumentError } from "../../registry/core/errors.js";
import { parseVersionName, versionName } from "../../registry/core/names.js";
import type { Registry } from "../../registry/shared/registry.js";
import type { MetadataValue, ModelVersion } from "../../registry/core/types.js";
import { propertiesOut } from "../shared/convert.js";
import { versionOut } from "./version-convert.js";

const DIRECTIONS = {
  HIGHER: MetricDirection.HIGHER_IS_BETTER,
  LOWER: MetricDirection.LOWER_IS_BETTER,
  NONE: MetricDirection.UNSPECIFIED,
} as const;

const metadataOut = (value: MetadataValue) => propertiesOut({ value }).value;

/**
 * CompareModelVersions: parse the names, compare in the registry, convert the rows. A Pick (a
 * Partial with its method required) so that spreading it completes the full ServiceImpl.
 */
export function createCompareHandler(registry: Registry): Pick<ServiceImpl<typeof ModelRegistryService>, "compareModelVersions"> {
  return {
    async compareModelVersions(req) {
      // Checked before parsing so that a huge list is refused without parsing it.
      if (req.names.length > MAX_COMPARED_VERSIONS) {
        throw InvalidArgumentError.field("names", `at most ${MAX_COMPARED_VERSIONS} versions per comparison`);
      }
      const result = await compareVersions(registry, {
        refs: req.names.map((name, i) => parseVersionName(name, `names[${i}]`)),
        keys: req.keys,
        higherIsBetter: req.higherIsBetter,
        lowerIsBetter: req.lowerIsBetter,
        unranked: req.unranked,
      });
      return create(CompareModelVersionsResponseSchema, {
        modelVersions: result.versions.map(versionOut),
        rows: result.rows.map((row) => rowOut(row, result.versions)),
        revision: BigInt(result.revision),
      });
    },
  };
}

function rowOut(row: ComparisonRow, versions: ModelVersion[]): PbComparisonRow {
  const best = new Set(row.best);
  return create(ComparisonRowSchema, {
    key: row.key,
    cells: row.values.map((value, i) => ({ value: value && metadataOut(value), best: best.has(i) })),
    direction: DIRECTIONS[row.direction],
    bestIndexes: row.best,
    bestNames: row.best.map((i) => versionName(versions[i]!.modelId, versions[i]!.id)),
  });
}
