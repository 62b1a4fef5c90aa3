import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Alias as PbAlias,
  AliasChangeType,
  type AliasHistoryEntry as PbAliasHistoryEntry,
  AliasHistoryEntrySchema,
  AliasSchema,
} from "../../../gen/modelregistry/v1/lifecycle_pb.js";
import { aliasName } from "../../registry/core/resource-names.js";
import type { Alias, AliasHistoryEntry } from "../../registry/core/types.js";
import { modelName, versionName } from "../../registry/core/names.js";

import { optionalVersionName } from "../shared/convert.js";
import { etagOf } from "../../registry/shared/changes.js";

/** Domain -> proto for aliases and their history. */

export function aliasOut(a: Alias): PbAlias {
  return create(AliasSchema, {
    name: aliasName(a.modelId, a.alias),
    alias: a.alias,
    registeredModel: modelName(a.modelId),
    modelVersion: versionName(a.modelId, a.versionId),
    version: a.version,
    registeredModelDisplayName: a.modelDisplayName,
    createTime: timestampFromDate(a.createTime),
    updateTime: timestampFromDate(a.updateTime),
    etag: etagOf(a),
  });
}

export function aliasHistoryOut(e: AliasHistoryEntry): PbAliasHistoryEntry {
  return create(AliasHistoryEntrySchema, {
    alias: e.alias,
    registeredModel: modelName(e.modelId),
    type: e.type === "SET" ? AliasChangeType.SET : AliasChangeType.DELETED,
    modelVersion: optionalVersionName(e.modelId, e.versionId),
    version: e.version,
    previousModelVersion: optionalVersionName(e.modelId, e.previousVersionId),
    previousVersion: e.previousVersion,
    actor: e.actor,
    reason: e.reason,
    time: timestampFromDate(e.time),
    revision: BigInt(e.revision),
  });
}
