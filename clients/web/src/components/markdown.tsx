import type { ReactNode } from "react";

/**
 * A model's README as Markdown, rendered to React elements — never to an HTML string — so nothing
 * in it can become markup or run: raw HTML (`<script>`, `<img onerror>`) is shown as the text it
 * is, and a link is a link only to http(s), mailto or a path of this site (a `javascript:` URL stays
 * text). The subset: headings, paragraphs, lists, block quotes, fenced code, `code`, **strong**,
 * *emphasis* and [links](https://…).
 */
export function Markdown({ text }: { text: string }) {
  return <div className="markdown">{blocks(text.replace(/\r\n?/g, "\n").split("\n"))}</div>;
}

const SAFE_URL = /^(https?:\/\/|mailto:|\/(?!\/)|#)/i;

function blocks(lines: string[]): ReactNode[] {
  const out: ReactNode[] = [];
  let i = 0;
  const key = () => out.length;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trim().startsWith(fence[1]!); i++) body.push(lines[i]!);
      i++;
      out.push(
        <pre key={key()}>
          <code>{body.join("\n")}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      // Page headings are h1 and h2: a README's levels start below them.
      const Tag = `h${Math.min(heading[1]!.length + 2, 6)}` as "h3";
      out.push(<Tag key={key()}>{inline(heading[2]!.replace(/\s+#+\s*$/, ""))}</Tag>);
      i++;
      continue;
    }
    const item = /^\s*([-*+]|\d+[.)])\s+/;
    if (item.test(line)) {
      const ordered = /\d/.test(item.exec(line)![1]!);
      const items: string[] = [];
      for (; i < lines.length && item.test(lines[i]!); i++) items.push(lines[i]!.replace(item, ""));
      const List = ordered ? "ol" : "ul";
      out.push(
        <List key={key()}>
          {items.map((t, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the items of a rendered text never move
            <li key={n}>{inline(t)}</li>
          ))}
        </List>,
      );
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]!); i++) quoted.push(lines[i]!.replace(/^\s*>\s?/, ""));
      out.push(<blockquote key={key()}>{blocks(quoted)}</blockquote>);
      continue;
    }
    const paragraph: string[] = [];
    for (; i < lines.length && lines[i]!.trim() !== "" && !/^(#{1,6}\s|\s*(```|~~~|>)|\s*([-*+]|\d+[.)])\s)/.test(lines[i]!); i++) {
      paragraph.push(lines[i]!.trim());
    }
    if (paragraph.length === 0) paragraph.push(lines[i++]!.trim());
    out.push(<p key={key()}>{inline(paragraph.join(" "))}</p>);
  }
  return out;
}

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|\[([^\]]+)\]\(([^)\s]+)\)/g;

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let at = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    const k = out.length;
    if (m[1] !== undefined) out.push(<code key={k}>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong key={k}>{inline(m[2])}</strong>);
    else if (m[3] !== undefined || m[4] !== undefined) out.push(<em key={k}>{inline(m[3] ?? m[4]!)}</em>);
    else if (SAFE_URL.test(m[6]!))
      out.push(
        <a key={k} href={m[6]} rel="noopener noreferrer nofollow" target={m[6]!.startsWith("#") ? undefined : "_blank"}>
          {inline(m[5]!)}
        </a>,
      );
    else out.push(m[0]);
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
