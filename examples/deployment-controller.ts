/**
 * A deployment controller on the registry's change stream. It keeps a local map
 * "registered model -> the version its `production` alias points at" exactly in sync, and calls
 * `reconcile` whenever an entry changes (a real controller would roll out the new version).
 *
 *   npx tsx examples/deployment-controller.ts [--server http://127.0.0.1:8080] [--alias production]
 *
 * The Kubernetes list-then-watch contract in one call:
 *  1. Watch { resource_types: ["Alias"], filter: "alias = 'production'", send_initial: true } sends
 *     the current production aliases, then SYNCED{revision}: the map is complete as of that revision.
 *  2. ALIAS_SET / ALIAS_DELETED events keep it current; every event, SYNCED and progress message
 *     moves the checkpoint (the last revision fully seen).
 *  3. After a dropped connection or a server restart, Watch { start_revision: checkpoint } delivers
 *     exactly the changes after it: none lost, none repeated. If retention has compacted the
 *     checkpoint away (OUT_OF_RANGE), the controller lists again and diffs against its map.
 */
import { pathToFileURL } from "node:url";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { EventType, type WatchResponse } from "../gen/modelregistry/v1/events_pb.js";
import type { Alias } from "../gen/modelregistry/v1/lifecycle_pb.js";
import { ModelRegistryService } from "../gen/modelregistry/v1/model_registry_service_pb.js";

/** Where a model's alias points: the version's resource name and its version string. */
export interface Target {
  modelDisplayName: string;
  modelVersion: string;
  version: string;
}

export interface ControllerOptions {
  client: Client<typeof ModelRegistryService>;
  /** The alias to follow (default "production"). */
  alias?: string;
  /** Called when a model's target changes; `after` undefined means the alias was removed. */
  reconcile(model: string, before: Target | undefined, after: Target | undefined): void | Promise<void>;
  signal: AbortSignal;
  /** Status messages (reconnects, relists). */
  log?(message: string): void;
}

/** The controller's state: the map, and the revision it is current as of. */
export class ProductionMap {
  /** registered model resource name -> target. */
  readonly targets = new Map<string, Target>();
  /** The last revision fully applied; undefined until the first SYNCED. */
  checkpoint: bigint | undefined;
  private listing: Map<string, Target> | null = null;

  /** A new stream starts: a partial listing of a broken one is discarded. */
  restart(): void {
    this.listing = null;
  }

  /** Applies one stream message; returns the changes to reconcile, in order. */
  apply(response: WatchResponse): Array<[string, Target | undefined, Target | undefined]> {
    const k = response.kind;
    switch (k.case) {
      case "initial": {
        this.listing ??= new Map();
        if (k.value.resource.case === "alias") this.listing.set(k.value.resource.value.registeredModel, target(k.value.resource.value));
        return [];
      }
      case "synced": {
        // A (re)list is complete: diff it against what we had, then adopt it.
        const listed = this.listing ?? new Map<string, Target>();
        this.listing = null;
        const changes: Array<[string, Target | undefined, Target | undefined]> = [];
        for (const [model, before] of this.targets) if (!listed.has(model)) changes.push([model, before, undefined]);
        for (const [model, after] of listed) {
          const before = this.targets.get(model);
          if (before?.modelVersion !== after.modelVersion) changes.push([model, before, after]);
        }
        this.targets.clear();
        for (const [model, t] of listed) this.targets.set(model, t);
        this.checkpoint = k.value.revision;
        return changes;
      }
      case "event": {
        this.checkpoint = k.value.revision;
        const r = k.value.resource?.resource;
        if (r?.case !== "alias") return [];
        const model = r.value.registeredModel;
        const before = this.targets.get(model);
        if (k.value.type === EventType.ALIAS_DELETED) {
          this.targets.delete(model);
          return before ? [[model, before, undefined]] : [];
        }
        const after = target(r.value);
        this.targets.set(model, after);
        return before?.modelVersion === after.modelVersion ? [] : [[model, before, after]];
      }
      case "progress":
        if (this.checkpoint !== undefined) this.checkpoint = k.value.revision;
        return [];
      default:
        return [];
    }
  }
}

function target(alias: Alias): Target {
  return { modelDisplayName: alias.registeredModelDisplayName, modelVersion: alias.modelVersion, version: alias.version };
}

/** Runs until the signal aborts: list-then-watch, resume after disconnects, relist after compaction. */
export async function runController(options: ControllerOptions, state = new ProductionMap()): Promise<ProductionMap> {
  const { client, signal } = options;
  const log = options.log ?? (() => {});
  const alias = options.alias ?? "production";
  let delay = 250;
  while (!signal.aborted) {
    const resume = state.checkpoint;
    state.restart();
    try {
      const stream = client.watch(
        {
          resourceTypes: ["Alias"],
          filter: `alias = '${alias}'`,
          ...(resume === undefined ? { sendInitial: true } : { startRevision: resume }),
        },
        { signal },
      );
      for await (const response of stream) {
        delay = 250;
        for (const [model, before, after] of state.apply(response)) await options.reconcile(model, before, after);
      }
    } catch (error) {
      if (signal.aborted) break;
      const e = ConnectError.from(error);
      if (e.code === Code.OutOfRange) {
        log(`revision ${resume} is no longer retained; listing again`);
        state.checkpoint = undefined;
        continue;
      }
      if (e.code !== Code.Unavailable && e.code !== Code.Unknown && e.code !== Code.Internal) throw error;
      log(`stream lost (${e.rawMessage}); resuming after revision ${state.checkpoint ?? "(relist)"} in ${delay} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 5000);
  }
  return state;
}

/** The command line: follow the alias and print every rollout decision. */
async function main(): Promise<void> {
  const arg = (flag: string, fallback: string) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
  };
  const server = arg("--server", process.env.MODEL_REGISTRY_SERVER || "http://127.0.0.1:8080");
  const alias = arg("--alias", "production");
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  process.once("SIGTERM", () => stop.abort());
  const client = createClient(ModelRegistryService, createGrpcTransport({ baseUrl: server }));
  await runController({
    client,
    alias,
    signal: stop.signal,
    log: (m) => console.error(`# ${m}`),
    reconcile(model, before, after) {
      const name = after?.modelDisplayName ?? before?.modelDisplayName ?? model;
      if (!after) console.log(`${name}: @${alias} removed (was ${before?.version}): undeploy`);
      else if (!before) console.log(`${name}: deploy ${after.version} (${after.modelVersion})`);
      else console.log(`${name}: roll out ${after.version}, replacing ${before.version}`);
    },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
