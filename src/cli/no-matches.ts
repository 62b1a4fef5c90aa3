import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { CliContext, ParsedArgs } from "./cli-context.js";
import { json } from "./format.js";
import { collectListed, type ListPage, listFlags } from "./resolve.js";

/** How many items the hint reads at most, and how many keys it names. */
const READ_AT_MOST = 1000;
const NAME_AT_MOST = 30;

/** What the hint reads the keys of: a resource's custom properties and, when it has them, labels. */
interface Keyed {
  customProperties: Record<string, unknown>;
  labels?: Record<string, string>;
}

/**
 * After a filtered list came back empty, names on stderr the property keys the caller can read,
 * so that a misspelled custom property (`acuracy > 0.9`) shows: "no matches; property keys on this
 * model: accuracy, loss". The server cannot refuse such a filter: a key missing today may exist
 * tomorrow, and it must not reveal keys of models the caller may not read. So the CLI reads them
 * with an ordinary list call, as the caller. A failure to read them is not the command's failure.
 */
export async function noMatches(ctx: CliContext, where: string, read: (limit: number) => Promise<Keyed[]>): Promise<void> {
  let items: Keyed[];
  try {
    items = await read(READ_AT_MOST);
  } catch {
    return;
  }
  const keys = keysOf(items.map((i) => i.customProperties));
  const labels = keysOf(items.map((i) => i.labels ?? {}));
  const parts = [keys.length > 0 ? `property keys ${where}: ${names(keys)}` : `no property keys ${where}`];
  if (labels.length > 0) parts.push(`label keys: ${names(labels)}`);
  ctx.status(`no matches; ${parts.join("; ")}`);
}

function keysOf(maps: Record<string, unknown>[]): string[] {
  return [...new Set(maps.flatMap((m) => Object.keys(m)))].sort((a, b) => a.localeCompare(b));
}

function names(keys: string[]): string {
  const shown = keys.slice(0, NAME_AT_MOST).join(", ");
  return keys.length > NAME_AT_MOST ? `${shown}, … (${keys.length - NAME_AT_MOST} more)` : shown;
}

/** What a list command shows in place of a table. */
export interface ListAnswers<Desc extends DescMessage> {
  /** The items' message, for --json. */
  schema: Desc;
  /** Said when nothing is listed ("no model versions"). */
  none: string;
  /** Where the keys of the noMatches hint are from ("on this model"). */
  where: string;
}

/**
 * The items a list command reads with its flags (--filter, --order-by, --limit), for its table;
 * undefined when they are answered already: printed as JSON, or none (said, with the noMatches
 * hint when a filter matched nothing).
 */
export async function listedForTable<Desc extends DescMessage, T extends MessageShape<Desc> & Keyed>(
  ctx: CliContext,
  args: ParsedArgs,
  page: ListPage<T>,
  answers: ListAnswers<Desc>,
): Promise<T[] | undefined> {
  const items = await collectListed(listFlags(args), page);
  if (ctx.json) {
    ctx.printJson(items.map((item) => json(answers.schema, item)));
    return undefined;
  }
  if (items.length > 0) return items;
  ctx.print(answers.none);
  if (args.values.filter) await noMatches(ctx, answers.where, (limit) => collectListed({ filter: "", orderBy: "", limit }, page));
  return undefined;
}
