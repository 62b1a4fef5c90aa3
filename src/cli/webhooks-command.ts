import { type Webhook, WebhookFailurePolicy, WebhookSchema } from "../../gen/modelregistry/v1/webhooks_pb.js";
import { type CliContext, type ParsedArgs, positionals, runSubcommand } from "./cli-context.js";
import { json, timeText } from "./format.js";
import { collectListed, getModel, LIST_OPTIONS, type ListPage, listFlags } from "./resolve.js";
import { formatFields, formatTable, truncate } from "./table.js";
import { deliveriesCommand, redeliverCommand, testCommand } from "./webhook-delivery-commands.js";

export const WEBHOOKS_USAGE = `usage:
  model-registry webhooks list [--filter EXPR] [--order-by FIELDS] [--limit N]
  model-registry webhooks get WEBHOOK
  model-registry webhooks create NAME --url URL [--event-type TYPE]... [--resource-type TYPE]...
                                  [--model MODEL] [--filter EXPR] [--description TEXT] [--skip-failed] [--disabled]
  model-registry webhooks enable WEBHOOK | disable WEBHOOK
  model-registry webhooks rotate-secret WEBHOOK [--grace-seconds N]
  model-registry webhooks delete WEBHOOK
  model-registry webhooks test WEBHOOK
  model-registry webhooks deliveries WEBHOOK [--filter EXPR] [--order-by FIELDS] [--limit N]
  model-registry webhooks redeliver WEBHOOK --revision N | --from-revision N

Webhooks POST each matching event of the change log to URL, signed (docs/webhooks.md). create and
rotate-secret print the signing secret once: store it then. WEBHOOK is a display name or
webhooks/{id}. Every subcommand needs the permission webhooks.manage (roles admin, integrator).

flags:
  --url URL              where events are POSTed (https; http and private addresses only if the server allows them)
  --event-type TYPE      only these event types: CREATED, UPDATED, STATE_CHANGED, DELETED, ALIAS_SET, ALIAS_DELETED
  --resource-type TYPE   only these resource types: RegisteredModel, ModelVersion, ... (repeatable)
  --model MODEL          only this model and everything under it
  --filter EXPR          with list: a filter over webhooks; with create: a Watch filter (needs one --resource-type)
  --description TEXT     free text
  --skip-failed          move on past an event that failed every attempt (default: pause there)
  --disabled             create it disabled
  --grace-seconds N      how long the previous secret keeps signing (default 86400)
  --reason TEXT          why, recorded in the audit log
  --revision N           redeliver: send this one event again now
  --from-revision N      redeliver: deliver everything from revision N on again, in order

test sends a signed ping and prints the answer; deliveries lists the attempts (kept 7 days by
default), e.g. --filter 'outcome = "FAILED"' --order-by "attempt_time desc".
`;

export const WEBHOOKS_OPTIONS = {
  ...LIST_OPTIONS,
  url: { type: "string" },
  "event-type": { type: "string", multiple: true },
  "resource-type": { type: "string", multiple: true },
  model: { type: "string" },
  description: { type: "string" },
  "skip-failed": { type: "boolean" },
  disabled: { type: "boolean" },
  "grace-seconds": { type: "string" },
  reason: { type: "string" },
  revision: { type: "string" },
  "from-revision": { type: "string" },
} as const;

/** `model-registry webhooks ...`: manage webhooks (WebhookService). */
export function webhooksCommand(ctx: CliContext, args: ParsedArgs): Promise<void> {
  return runSubcommand(
    "webhooks",
    {
      list,
      get,
      create,
      enable: setEnabled(true),
      disable: setEnabled(false),
      "rotate-secret": rotate,
      delete: remove,
      test: testCommand(WEBHOOKS_USAGE, find),
      deliveries: deliveriesCommand(WEBHOOKS_USAGE, find),
      redeliver: redeliverCommand(WEBHOOKS_USAGE, find),
    },
    WEBHOOKS_USAGE,
    ctx,
    args,
  );
}

const reason = (args: ParsedArgs) => (args.values.reason as string) ?? "";

/** A webhook by display name or resource name. */
async function find(ctx: CliContext, ref: string): Promise<Webhook> {
  const byName = /^webhooks\/\d+$/.test(ref);
  return (await ctx.webhooks.getWebhook(byName ? { name: ref } : { displayName: ref })).webhook!;
}

async function list(ctx: CliContext, args: ParsedArgs): Promise<void> {
  positionals(args, [], WEBHOOKS_USAGE);
  const page: ListPage<Webhook> = async (req) => {
    const res = await ctx.webhooks.listWebhooks(req);
    return { items: res.webhooks, nextPageToken: res.nextPageToken };
  };
  const hooks = await collectListed(listFlags(args), page);
  if (ctx.json) return ctx.printJson(hooks.map((w) => json(WebhookSchema, w)));
  if (hooks.length === 0) return ctx.print("no webhooks");
  ctx.print(
    formatTable(
      ["NAME", "ID", "ENABLED", "URL", "OWNER", "UPDATED"],
      hooks.map((w) => [w.displayName, w.id, enabledText(w), truncate(w.url, 60), w.owner, timeText(w.updateTime)]),
    ),
  );
}

const enabledText = (w: Webhook) => (w.enabled ? "yes" : w.disabledReason ? `no (${w.disabledReason})` : "no");

async function get(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [ref] = positionals(args, ["webhook"], WEBHOOKS_USAGE);
  show(ctx, await find(ctx, ref!));
}

function show(ctx: CliContext, w: Webhook, secret?: string): void {
  if (ctx.json) {
    ctx.printJson({ ...(json(WebhookSchema, w) as object), ...(secret ? { secret } : {}) });
    return;
  }
  ctx.print(
    formatFields([
      ["name", w.displayName],
      ["resource", w.name],
      ["url", w.url],
      ["enabled", enabledText(w)],
      ["events", w.eventTypes.join(", ") || "all"],
      ["resources", w.resourceTypes.join(", ") || "all"],
      ["model", w.registeredModel || "all"],
      ["filter", w.filter],
      ["on failure", w.failurePolicy === WebhookFailurePolicy.SKIP ? "skip" : "pause"],
      ["owner", w.owner],
      ["description", w.description],
      ["updated", timeText(w.updateTime)],
    ]),
  );
  if (secret) ctx.print(`secret (shown once; verify deliveries with it): ${secret}`);
}

async function create(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [displayName] = positionals(args, ["name"], WEBHOOKS_USAGE);
  const model = args.values.model ? (await getModel(ctx.client, args.values.model as string)).name : "";
  const res = await ctx.webhooks.createWebhook({
    webhook: {
      displayName,
      url: (args.values.url as string) ?? "",
      eventTypes: ((args.values["event-type"] as string[] | undefined) ?? []).map((t) => t.toUpperCase()),
      resourceTypes: (args.values["resource-type"] as string[] | undefined) ?? [],
      registeredModel: model,
      filter: (args.values.filter as string) ?? "",
      description: (args.values.description as string) ?? "",
      enabled: args.values.disabled !== true,
      failurePolicy: args.values["skip-failed"] ? WebhookFailurePolicy.SKIP : WebhookFailurePolicy.PAUSE,
    },
    reason: reason(args),
  });
  show(ctx, res.webhook!, res.secret);
}

function setEnabled(enabled: boolean) {
  return async (ctx: CliContext, args: ParsedArgs): Promise<void> => {
    const [ref] = positionals(args, ["webhook"], WEBHOOKS_USAGE);
    const current = await find(ctx, ref!);
    const res = await ctx.webhooks.updateWebhook({
      webhook: { name: current.name, enabled, etag: current.etag },
      updateMask: { paths: ["enabled"] },
      reason: reason(args),
    });
    if (ctx.json) return ctx.printJson(json(WebhookSchema, res.webhook!));
    ctx.print(`${enabled ? "enabled" : "disabled"} webhook ${current.displayName} (${current.name})`);
  };
}

async function rotate(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [ref] = positionals(args, ["webhook"], WEBHOOKS_USAGE);
  const current = await find(ctx, ref!);
  const grace = args.values["grace-seconds"] === undefined ? 0 : Number(args.values["grace-seconds"]);
  const res = await ctx.webhooks.rotateWebhookSecret({ name: current.name, gracePeriodSeconds: grace, reason: reason(args), etag: current.etag });
  if (ctx.json) return ctx.printJson({ ...(json(WebhookSchema, res.webhook!) as object), secret: res.secret });
  ctx.print(`new secret (shown once): ${res.secret}`);
  ctx.print(`the previous secret signs too until ${timeText(res.webhook!.previousSecretExpireTime)}`);
}

async function remove(ctx: CliContext, args: ParsedArgs): Promise<void> {
  const [ref] = positionals(args, ["webhook"], WEBHOOKS_USAGE);
  const current = await find(ctx, ref!);
  await ctx.webhooks.deleteWebhook({ name: current.name, etag: current.etag, reason: reason(args) });
  ctx.print(`deleted webhook ${current.displayName} (${current.name})`);
}
