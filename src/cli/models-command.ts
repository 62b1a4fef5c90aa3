import { toJson } from "@bufbuild/protobuf";
import { ArchiveRegisteredModelResponseSchema } from "../../gen/modelregistry/v1/lifecycle_pb.js";
import { type RegisteredModel, RegisteredModelSchema, State } from "../../gen/modelregistry/v1/resources_pb.js";
import { type CliContext, type ParsedArgs, positionals, runSubcommand } from "./cli-context.js";
import { json, metadataTable, stateText, timeText } from "./format.js";
import { listedForTable } from "./no-matches.js";
import { getModel, LIST_OPTIONS, type ListPage } from "./resolve.js";
import { formatFields, formatTable, truncate } from "./table.js";

export const MODELS_USAGE = `usage:
  model-registry models list [--filter EXPR] [--order-by FIELDS] [--limit N]
  model-registry models get MODEL
  model-registry models archive MODEL [--cascade] [--reason TEXT]
  model-registry models restore MODEL [--reason TEXT]

archive refuses a model an alias or a deployment still uses (failed_precondition, MODEL_IN_USE);
--cascade archives its LIVE versions with it, in the same transaction.

MODEL is a display name ("fraud-detector") or a resource name ("registeredModels/1").

flags:
  --filter EXPR      only models matching the filter, e.g. "state = 'LIVE' AND labels.team = 'risk'";
                     when nothing matches, the property keys the models have go to stderr
  --order-by FIELDS  e.g. "update_time desc" (default create_time)
  --limit N          at most N models (default: all)
  --cascade          archive the model's LIVE versions too
  --reason TEXT      why, recorded in the audit log
`;

export const MODELS_OPTIONS = {
  ...LIST_OPTIONS,
  cascade: { type: "boolean" },
  reason: { type: "string" },
} as const;

/** `model-registry models ...`: list, read, archive and restore registered models. */
export function modelsCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  return runSubcommand("models", { list, get, archive, restore }, MODELS_USAGE, ctx, args);
}

async function list(ctx: CliContext, args: ParsedArgs): Promise<void> {
  positionals(args, [], MODELS_USAGE);
  const page: ListPage<RegisteredModel> = async (req) => {
    const res = await ctx.client.listRegisteredModels(req);
    return { items: res.registeredModels, nextPageToken: res.nextPageToken };
  };
  const answers = { schema: RegisteredModelSchema, none: "no registered models", where: "on registered models" };
  const models = await listedForTable(ctx, args, page, answers);
  if (!models) return;
  ctx.print(
    formatTable(
      ["NAME", "ID", "STATE", "OWNER", "UPDATED", "DESCRIPTION"],
      models.map((m) => [m.displayName, m.id, stateText(m.state), m.owner, timeText(m.updateTime), truncate(m.description, 50)]),
    ),
  );
}

async function get(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [name] = positionals(args, ["model"], MODELS_USAGE);
  const m = await getModel(ctx.client, name!);
  if (ctx.json) return ctx.printJson(json(RegisteredModelSchema, m));
  const labels = Object.entries(m.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  ctx.print(
    formatFields([
      ["name", m.displayName],
      ["resource", m.name],
      ["state", stateText(m.state)],
      ["owner", m.owner],
      ["description", m.description],
      ["labels", labels],
      ["created", timeText(m.createTime)],
      ["updated", timeText(m.updateTime)],
    ]),
  );
  const metadata = metadataTable(m.customProperties);
  if (metadata) ctx.print(metadata);
}

async function archive(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [name] = positionals(args, ["model"], MODELS_USAGE);
  const current = await getModel(ctx.client, name!);
  const res = await ctx.client.archiveRegisteredModel({
    name: current.name,
    cascade: args.values.cascade === true,
    reason: (args.values.reason as string) ?? "",
  });
  const m = res.registeredModel!;
  if (ctx.json) return ctx.printJson(toJson(ArchiveRegisteredModelResponseSchema, res));
  const versions = res.archivedModelVersions.map((v) => v.version);
  ctx.print(`archived registered model ${m.displayName} (${m.name})${versions.length > 0 ? ` and versions ${versions.join(", ")}` : ""}`);
}

async function restore(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [name] = positionals(args, ["model"], MODELS_USAGE);
  const current = await getModel(ctx.client, name!);
  const res = await ctx.client.updateRegisteredModel({
    registeredModel: { name: current.name, state: State.LIVE, etag: current.etag },
    updateMask: { paths: ["state"] },
    reason: (args.values.reason as string) ?? "",
  });
  const m = res.registeredModel!;
  if (ctx.json) return ctx.printJson(json(RegisteredModelSchema, m));
  ctx.print(`restored registered model ${m.displayName} (${m.name})`);
}
