// The page as a website shows it to readers: its blocks of the server's HTML in reading order,
// with changes marked when a review asks (lib/reader.ts, lib/markChanges.ts).

import { memo, type ReactNode } from 'react';
import type { ReaderBlock } from '../lib/reader';

const CHANGE_LABELS = { changed: 'Changed', new: 'New', removed: 'Removed' } as const;

type Level = 1 | 2 | 3 | 4;

function Heading({ level, children, className }: { level: Level; children: ReactNode; className?: string }) {
  const H = `h${level}` as 'h1' | 'h2' | 'h3' | 'h4';
  return <H className={className}>{children}</H>;
}

/** Memoised: the preview pane re-renders with every keystroke, the page only when its HTML changed. */
export const ReaderView = memo(function ReaderView({
  title,
  blocks,
  reviewedBy,
  level = 3,
  label,
  activeKey,
}: {
  title: ReactNode;
  blocks: ReaderBlock[];
  reviewedBy?: string | null;
  /** The heading level of the page title; block headings are one below. */
  level?: Level;
  label: string;
  /** The block being edited, highlighted and scrolled to by the caller. */
  activeKey?: string | null;
}) {
  const sub = Math.min(level + 1, 4) as Level;
  return (
    <article className="reader" aria-label={label}>
      <Heading level={level} className="reader-title">
        {title}
      </Heading>
      {reviewedBy && <p className="reader-reviewed">Medically reviewed by {reviewedBy}</p>}
      {blocks.map((b) => (
        <section
          key={b.key + (b.change === 'removed' ? ':removed' : '')}
          className={`reader-block${b.change ? ` chg-block chg-block-${b.change}` : ''}${activeKey === b.key ? ' reader-active' : ''}`}
          data-block={b.key}
        >
          {b.heading && <Heading level={sub}>{b.heading}</Heading>}
          {b.change && <span className={`chg-label chg-label-${b.change}`}>{CHANGE_LABELS[b.change]}</span>}
          <div className="rendered" dangerouslySetInnerHTML={{ __html: b.html }} />
        </section>
      ))}
    </article>
  );
});
