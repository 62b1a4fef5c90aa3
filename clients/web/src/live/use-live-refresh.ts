import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Event } from "../../../../gen/modelregistry/v1/events_pb.js";
import { useLiveEvents } from "./live.js";

const FLASH_MS = 2500;

/**
 * Reloads what the page shows when a change it cares about arrives (the predicate filters the
 * browser's one stream for this page), and returns the resource names changed in the last moments,
 * so the page can highlight where a change landed instead of reflowing.
 */
export function useLiveRefresh(match: (event: Event) => boolean): ReadonlySet<string> {
  const client = useQueryClient();
  const [flashing, setFlashing] = useState<ReadonlySet<string>>(new Set());
  const matchRef = useRef(match);
  matchRef.current = match;
  const timers = useRef<number[]>([]);
  useEffect(() => () => timers.current.forEach(clearTimeout), []);
  const onEvent = useCallback(
    (event: Event) => {
      if (!matchRef.current(event)) return;
      void client.invalidateQueries({ type: "active" });
      const names = [event.resourceName, event.registeredModel, aliasTarget(event)].filter((n) => n !== "");
      setFlashing((prev) => new Set([...prev, ...names]));
      timers.current.push(
        window.setTimeout(() => {
          setFlashing((prev) => new Set([...prev].filter((n) => !names.includes(n))));
        }, FLASH_MS),
      );
    },
    [client],
  );
  useLiveEvents(onEvent);
  return flashing;
}

/** The version an alias event points at, so the version's row flashes when an alias moves onto it. */
function aliasTarget(event: Event): string {
  const resource = event.resource?.resource;
  return resource?.case === "alias" ? resource.value.modelVersion : "";
}
