import { toJson } from "@bufbuild/protobuf";
import { AliasSchema, SetAliasResponseSchema } from "../../gen/modelregistry/v1/lifecycle_pb.js";
import type { RegisteredModel } from "../../gen/modelregistry/v1/resources_pb.js";
import type { RegistryClient } from "../client/create-registry-client.js";
import { type CliContext, CliUsageError, type ParsedArgs, positionals, runSubcommand } from "./cli-context.js";
import { json, timeText } from "./format.js";
import { collectPages, getModel, getVersion } from "./resolve.js";
import { formatTable } from "./table.js";

export const ALIAS_USAGE = `usage:
  model-registry alias set MODEL ALIAS VERSION [--expect VERSION | --expect-new] [--reason TEXT]
  model-registry alias rm MODEL ALIAS [--expect VERSION] [--force] [--reason TEXT]
  model-registry alias list MODEL

VERSION is a version string ("v2"), "latest" or "@other-alias" (promote @staging to @production).
--expect makes the change compare-and-set: it fails (aborted) unless the alias points at that
version now; --expect-new fails if the alias exists. --force removes an alias a deployment follows.

flags:
  --expect VERSION  change the alias only if it points at VERSION now (compare-and-set)
  --expect-new      set the alias only if it does not exist yet
  --force           remove an alias a deployment follows
  --reason TEXT     why, recorded in the audit log
`;

export const ALIAS_OPTIONS = {
  expect: { type: "string" },
  "expect-new": { type: "boolean" },
  reason: { type: "string" },
  force: { type: "boolean" },
} as const;

/** `model-registry alias ...`: move, remove and list the aliases of a model. */
export function aliasCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  return runSubcommand("alias", { set, rm, list }, ALIAS_USAGE, ctx, args);
}

async function set(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [modelArg, alias, version] = positionals(args, ["model", "alias", "version"], ALIAS_USAGE);
  if (args.values.expect !== undefined && args.values["expect-new"]) {
    throw new CliUsageError("--expect and --expect-new exclude each other", ALIAS_USAGE);
  }
  const model = await getModel(ctx.client, modelArg!);
  const expected = args.values["expect-new"] ? "" : await expectedName(ctx.client, model, args.values.expect as string | undefined);
  const res = await ctx.client.setAlias({
    name: `${model.name}/aliases/${alias}`,
    modelVersion: await versionTarget(ctx.client, model, version!),
    expectedModelVersion: expected,
    reason: (args.values.reason as string) ?? "",
  });
  if (ctx.json) return ctx.printJson(toJson(SetAliasResponseSchema, res));
  const a = res.alias!;
  const was = res.previousModelVersion ? `was ${await versionString(ctx.client, res.previousModelVersion)}` : "new";
  ctx.print(`${a.registeredModelDisplayName} @${a.alias} -> ${a.version} (${was})`);
}

async function rm(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [modelArg, alias] = positionals(args, ["model", "alias"], ALIAS_USAGE);
  const model = await getModel(ctx.client, modelArg!);
  const res = await ctx.client.deleteAlias({
    name: `${model.name}/aliases/${alias}`,
    expectedModelVersion: await expectedName(ctx.client, model, args.values.expect as string | undefined),
    force: args.values.force === true,
    reason: (args.values.reason as string) ?? "",
  });
  const a = res.alias!;
  if (ctx.json) return ctx.printJson(json(AliasSchema, a));
  ctx.print(`removed ${model.displayName} @${a.alias} (was ${a.version})`);
}

async function list(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [modelArg] = positionals(args, ["model"], ALIAS_USAGE);
  const model = await getModel(ctx.client, modelArg!);
  const aliases = await collectPages(async (pageToken, pageSize) => {
    const res = await ctx.client.listAliases({ parent: model.name, pageToken, pageSize, orderBy: "alias" });
    return { items: res.aliases, nextPageToken: res.nextPageToken };
  });
  if (ctx.json) return ctx.printJson(aliases.map((a) => json(AliasSchema, a)));
  if (aliases.length === 0) return ctx.print(`no aliases on ${model.displayName}`);
  ctx.print(
    formatTable(
      ["ALIAS", "VERSION", "UPDATED"],
      aliases.map((a) => [a.alias, a.version, timeText(a.updateTime)]),
    ),
  );
}

/** `latest` and `@alias` are passed to the server as they are, so the move is one atomic step. */
async function versionTarget(client: RegistryClient, model: RegisteredModel, version: string): Promise<string> {
  if (version === "latest" || version.startsWith("@")) return `${model.name}/versions/${version}`;
  return (await getVersion(client, model.displayName, version)).name;
}

async function expectedName(client: RegistryClient, model: RegisteredModel, expect: string | undefined): Promise<string | undefined> {
  if (expect === undefined) return undefined;
  return (await getVersion(client, model.displayName, expect)).name;
}

async function versionString(client: RegistryClient, name: string): Promise<string> {
  return (await client.getModelVersion({ name })).modelVersion?.version ?? name;
}
