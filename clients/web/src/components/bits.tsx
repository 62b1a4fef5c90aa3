import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { type ReactNode, useState } from "react";
import type { State } from "../../../../gen/modelregistry/v1/resources_pb.js";
import { describeError, relativeTime, stateLabel, toDate } from "../format.js";

/** LIVE green, ARCHIVED grey. */
export function StateChip({ state }: { state: State }) {
  const label = stateLabel(state);
  return <span className={`chip state-${label.toLowerCase()}`}>{label}</span>;
}

/** An alias as a tag, next to the version it points at. */
export function AliasTag({ alias, flash }: { alias: string; flash?: boolean }) {
  return <span className={`tag${flash ? " flash" : ""}`}>@{alias}</span>;
}

/** A relative time, with the absolute time on hover. */
export function Time({ value }: { value: Timestamp | undefined }) {
  const date = toDate(value);
  if (!date) return <span className="muted">—</span>;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {relativeTime(date)}
    </time>
  );
}

/** Monospace text cut to the cell, the full value on hover, with a copy button. */
export function Mono({ value, copy }: { value: string; copy?: boolean }) {
  return (
    <span className="mono-cell">
      <code className="mono truncate" title={value}>
        {value}
      </code>
      {copy && value !== "" ? <CopyButton value={value} /> : null}
    </span>
  );
}

export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard API (a cleartext origin other than localhost): copy through a selection.
      const area = document.createElement("textarea");
      area.value = value;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1200);
  };
  return (
    <button type="button" className="copy" onClick={copy} aria-label={`${label}: ${value}`} title={label}>
      {done ? "copied" : "copy"}
    </button>
  );
}

/** A server error, near the thing that failed: code, reason and message. */
export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  const { code, message, reason } = describeError(error);
  return (
    <div className="error" role="alert">
      <strong>{what ? `${what}: ` : ""}</strong>
      <span className="mono">{reason || code}</span> {message}
    </div>
  );
}

export function Loading() {
  return (
    <p className="muted" aria-live="polite">
      Loading…
    </p>
  );
}

/** An empty page says what would fill it. */
export function Empty({ children, command }: { children: string; command?: string }) {
  return (
    <div className="empty">
      <p>{children}</p>
      {command ? (
        <p>
          <code className="mono">{command}</code> <CopyButton value={command} label="Copy command" />
        </p>
      ) : null}
    </div>
  );
}

/** Labels as chips; clicking one filters by it, when onPick is given. */
export function Labels({ labels, onPick }: { labels: Record<string, string>; onPick?: (key: string, value: string) => void }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return null;
  return (
    <span className="labels">
      {entries.map(([k, v]) =>
        onPick ? (
          <button type="button" key={k} className="chip label" onClick={() => onPick(k, v)} title={`Filter by ${k}=${v}`}>
            {k}={v}
          </button>
        ) : (
          <span key={k} className="chip label">
            {k}={v}
          </span>
        ),
      )}
    </span>
  );
}

/** A column of a table header: its label, right-aligned for numbers, or read by screen readers only. */
export type Column = string | { label: string; num?: boolean; srOnly?: boolean };

/** A table's header row. */
export function Head({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => {
          const c = typeof column === "string" ? { label: column } : column;
          return (
            <th key={c.label} scope="col" className={c.num ? "num" : undefined}>
              {c.srOnly ? <span className="sr-only">{c.label}</span> : c.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** A resource's description (as text) and its facts, its resource name first, with copy. */
export function Overview({ name, description, facts }: { name: string; description: string; facts: Array<[string, ReactNode]> }) {
  return (
    <>
      <p className="description">{description || <span className="muted">No description.</span>}</p>
      <dl className="facts">
        {[["Name", <Mono key="name" value={name} copy />] as [string, ReactNode], ...facts].map(([term, value]) => (
          <div key={term} className="fact">
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
