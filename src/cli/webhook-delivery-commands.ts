import {
  type Webhook,
  type WebhookDelivery,
  WebhookDeliveryKind,
  WebhookDeliveryOutcome,
  WebhookDeliverySchema,
} from "../../gen/modelregistry/v1/webhooks_pb.js";
import { type CliContext, CliUsageError, intFlag, type ParsedArgs, positionals } from "./cli-context.js";
import { json, timeText } from "./format.js";
import { collectListed, type ListPage, listFlags } from "./resolve.js";
import { formatTable, truncate } from "./table.js";

/** `webhooks test`, `webhooks deliveries` and `webhooks redeliver` (docs/webhooks.md). */

type Find = (ctx: CliContext, ref: string) => Promise<Webhook>;

const outcomeText = (d: WebhookDelivery) => WebhookDeliveryOutcome[d.outcome] ?? "";
const kindText = (d: WebhookDelivery) => WebhookDeliveryKind[d.kind] ?? "";
const latencyText = (d: WebhookDelivery) => `${Number(d.latency?.seconds ?? 0n) * 1000 + Math.round((d.latency?.nanos ?? 0) / 1e6)} ms`;
const answerText = (d: WebhookDelivery) => (d.error ? d.error : `HTTP ${d.statusCode}`);

function printAttempt(ctx: CliContext, d: WebhookDelivery): void {
  if (ctx.json) ctx.printJson(json(WebhookDeliverySchema, d));
  else ctx.print(`${outcomeText(d).toLowerCase()}: ${answerText(d)} in ${latencyText(d)} (${d.messageId})`);
}

export function testCommand(usage: string, find: Find) {
  return async (ctx: CliContext, args: ParsedArgs): Promise<void> => {
    const [ref] = positionals(args, ["webhook"], usage);
    const { delivery } = await ctx.webhooks.testWebhook({ name: (await find(ctx, ref!)).name });
    printAttempt(ctx, delivery!);
  };
}

export function deliveriesCommand(usage: string, find: Find) {
  return async (ctx: CliContext, args: ParsedArgs): Promise<void> => {
    const [ref] = positionals(args, ["webhook"], usage);
    const parent = (await find(ctx, ref!)).name;
    const page: ListPage<WebhookDelivery> = async (req) => {
      const res = await ctx.webhooks.listWebhookDeliveries({ ...req, parent });
      return { items: res.deliveries, nextPageToken: res.nextPageToken };
    };
    const attempts = await collectListed(listFlags(args), page);
    if (ctx.json) return ctx.printJson(attempts.map((d) => json(WebhookDeliverySchema, d)));
    if (attempts.length === 0) return ctx.print("no delivery attempts");
    ctx.print(
      formatTable(
        ["TIME", "REVISION", "KIND", "ATTEMPT", "OUTCOME", "ANSWER", "LATENCY", "NEXT RETRY"],
        attempts.map((d) => [
          timeText(d.attemptTime),
          String(d.revision),
          kindText(d),
          String(d.attempt),
          outcomeText(d),
          truncate(answerText(d), 50),
          latencyText(d),
          d.nextRetryTime ? timeText(d.nextRetryTime) : "-",
        ]),
      ),
    );
  };
}

export function redeliverCommand(usage: string, find: Find) {
  return async (ctx: CliContext, args: ParsedArgs): Promise<void> => {
    const [ref] = positionals(args, ["webhook"], usage);
    const revision = intFlag(args.values.revision, "revision");
    const from = intFlag(args.values["from-revision"], "from-revision");
    if ((revision === undefined) === (from === undefined)) throw new CliUsageError("give exactly one of --revision N and --from-revision N");
    const webhook = await find(ctx, ref!);
    const res = await ctx.webhooks.redeliverWebhook({
      name: webhook.name,
      revision: BigInt(revision ?? 0),
      fromRevision: BigInt(from ?? 0),
    });
    if (res.delivery) return printAttempt(ctx, res.delivery);
    if (ctx.json) return ctx.printJson({ name: webhook.name, fromRevision: String(from) });
    ctx.print(`webhook ${webhook.displayName} delivers again from revision ${from}${webhook.enabled ? "" : " once it is enabled"}`);
  };
}
