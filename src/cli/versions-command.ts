import { toJson } from "@bufbuild/protobuf";
import { CompareModelVersionsResponseSchema, MetricDirection } from "../../gen/modelregistry/v1/compare_pb.js";
import { ModelArtifactSchema, type ModelVersion, ModelVersionSchema, State } from "../../gen/modelregistry/v1/resources_pb.js";
import type { RegistryClient } from "../client/create-registry-client.js";
import { type CliContext, CliUsageError, type ParsedArgs, positionals, runSubcommand } from "./cli-context.js";
import { artifactStateText, json, metadataTable, stateText, timeText, valueText } from "./format.js";
import { listedForTable } from "./no-matches.js";
import { collectPages, getModel, getVersion, LIST_OPTIONS, type ListPage } from "./resolve.js";
import { formatFields, formatTable } from "./table.js";

export const VERSIONS_USAGE = `usage:
  model-registry versions list MODEL [--filter EXPR] [--order-by FIELDS] [--limit N]
  model-registry versions get MODEL VERSION
  model-registry versions compare MODEL VERSION VERSION... [--keys K1,K2] [--higher-is-better K1,K2]
                                  [--lower-is-better K1,K2] [--unranked K1,K2]
  model-registry versions archive MODEL VERSION [--reason TEXT]
  model-registry versions restore MODEL VERSION [--reason TEXT]

MODEL is a display name or a resource name; "-" lists the versions of every model.
VERSION is a version string ("v2"), "latest" or "@alias".
archive refuses a version an alias or a deployment still uses (failed_precondition, VERSION_IN_USE).

flags:
  --filter EXPR           only versions matching the filter, e.g. "accuracy > 0.9 AND state = 'LIVE'";
                          when nothing matches, the property keys the versions have go to stderr
  --order-by FIELDS       e.g. "create_time desc" (default create_time)
  --limit N               at most N versions (default: all)
  --keys K1,K2            compare only these metadata keys (default: all)
  --higher-is-better K1,K2, --lower-is-better K1,K2, --unranked K1,K2
                          how to rank a key (default: guessed from its name: accuracy higher, loss lower)
  --reason TEXT           why, recorded in the audit log
`;

export const VERSIONS_OPTIONS = {
  ...LIST_OPTIONS,
  keys: { type: "string" },
  "higher-is-better": { type: "string" },
  "lower-is-better": { type: "string" },
  unranked: { type: "string" },
  reason: { type: "string" },
} as const;

/** `model-registry versions ...`: list, read and compare model versions. */
export function versionsCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const subcommands = {
    list,
    get,
    compare,
    archive: (c: CliContext, a: ParsedArgs) => setState(c, a, State.ARCHIVED),
    restore: (c: CliContext, a: ParsedArgs) => setState(c, a, State.LIVE),
  };
  return runSubcommand("versions", subcommands, VERSIONS_USAGE, ctx, args);
}

async function list(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [model] = positionals(args, ["model"], VERSIONS_USAGE);
  const parent = model === "-" ? "registeredModels/-" : (await getModel(ctx.client, model!)).name;
  const page: ListPage<ModelVersion> = async (req) => {
    const res = await ctx.client.listModelVersions({ parent, ...req });
    return { items: res.modelVersions, nextPageToken: res.nextPageToken };
  };
  const where = model === "-" ? "on model versions" : "on this model";
  const versions = await listedForTable(ctx, args, page, { schema: ModelVersionSchema, none: "no model versions", where });
  if (!versions) return;
  const uris: string[] = [];
  // One artifact read per version, 16 at a time (a long list must not open thousands of requests).
  for (let i = 0; i < versions.length; i += 16) {
    uris.push(...(await Promise.all(versions.slice(i, i + 16).map((v) => firstUri(ctx.client, v)))));
  }
  const headers = ["VERSION", "STATE", "ALIASES", "AUTHOR", "CREATED", "URI"];
  const rows = versions.map((v, i) => [v.version, stateText(v.state), v.aliases.join(","), v.author, timeText(v.createTime), uris[i]!]);
  if (model === "-") {
    headers.unshift("MODEL");
    for (const [i, row] of rows.entries()) row.unshift(versions[i]!.registeredModelDisplayName);
  }
  ctx.print(formatTable(headers, rows));
}

/** `versions archive|restore`: the version's state, compare-and-set on its etag, with a reason for the audit log. */
async function setState(ctx: CliContext, args: ParsedArgs, state: State): Promise<void> {
  const [model, version] = positionals(args, ["model", "version"], VERSIONS_USAGE);
  const current = await getVersion(ctx.client, model!, version!);
  const res = await ctx.client.updateModelVersion({
    modelVersion: { name: current.name, state, etag: current.etag },
    updateMask: { paths: ["state"] },
    reason: (args.values.reason as string) ?? "",
  });
  const v = res.modelVersion!;
  if (ctx.json) return ctx.printJson(json(ModelVersionSchema, v));
  ctx.print(`${state === State.ARCHIVED ? "archived" : "restored"} model version ${v.registeredModelDisplayName} ${v.version} (${v.name})`);
}

async function firstUri(client: RegistryClient, v: ModelVersion): Promise<string> {
  const res = await client.listModelArtifacts({ parent: v.name, pageSize: 1 });
  return res.modelArtifacts[0]?.uri ?? "";
}

async function get(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [model, version] = positionals(args, ["model", "version"], VERSIONS_USAGE);
  const v = await getVersion(ctx.client, model!, version!);
  const artifacts = await collectPages(async (pageToken, pageSize) => {
    const res = await ctx.client.listModelArtifacts({ parent: v.name, pageToken, pageSize });
    return { items: res.modelArtifacts, nextPageToken: res.nextPageToken };
  });
  if (ctx.json) {
    return ctx.printJson({ modelVersion: json(ModelVersionSchema, v), modelArtifacts: artifacts.map((a) => json(ModelArtifactSchema, a)) });
  }
  ctx.print(
    formatFields([
      ["model", v.registeredModelDisplayName],
      ["version", v.version],
      ["resource", v.name],
      ["state", stateText(v.state)],
      ["aliases", v.aliases.join(", ")],
      ["author", v.author],
      ["description", v.description],
      ["created", timeText(v.createTime)],
      ["updated", timeText(v.updateTime)],
    ]),
  );
  const metadata = metadataTable(v.customProperties);
  if (metadata) ctx.print(metadata);
  if (artifacts.length > 0) {
    ctx.print(
      `\n${formatTable(
        ["ARTIFACT", "URI", "FORMAT", "STATE"],
        artifacts.map((a) => [a.id, a.uri, [a.modelFormatName, a.modelFormatVersion].filter(Boolean).join(" "), artifactStateText(a.state)]),
      )}`,
    );
  }
}

async function compare(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [model, ...versions] = args.positionals;
  if (!model || versions.length === 0) throw new CliUsageError("missing MODEL and VERSIONs to compare", VERSIONS_USAGE);
  const resolved = await Promise.all(versions.map((v) => getVersion(ctx.client, model, v)));
  const list = (flag: string) =>
    ((args.values[flag] as string | undefined) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const res = await ctx.client.compareModelVersions({
    names: resolved.map((v) => v.name),
    keys: list("keys"),
    higherIsBetter: list("higher-is-better"),
    lowerIsBetter: list("lower-is-better"),
    unranked: list("unranked"),
  });
  if (ctx.json) return ctx.printJson(toJson(CompareModelVersionsResponseSchema, res));
  const columns = res.modelVersions.map((v) => (versions.length === new Set(versions).size ? v.version : `${v.version}(${v.id})`));
  const direction = (d: MetricDirection) =>
    d === MetricDirection.HIGHER_IS_BETTER ? "higher" : d === MetricDirection.LOWER_IS_BETTER ? "lower" : "";
  ctx.print(
    formatTable(
      ["KEY", ...columns, "BEST"],
      res.rows.map((row) => [
        row.key,
        ...row.cells.map((c) => (c.value ? `${valueText(c.value)}${c.best ? " *" : ""}` : "")),
        row.bestIndexes.length > 0 ? `${row.bestIndexes.map((i) => columns[i]).join(",")} (${direction(row.direction)})` : "",
      ]),
    ),
  );
}
