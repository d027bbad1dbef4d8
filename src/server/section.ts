import type { ChannelEngine } from '../answer/engine.ts';
import type { ParagraphView } from '../answer/types.ts';

/**
 * A section of the report as the web page's reader shows it: every paragraph under one section path
 * (its heading, its lead, its subsections), in document order.
 *
 * Built only from `engine.paragraph()` — the section path of a paragraph is `section` split on ' › ',
 * with the paragraph's own topic as the last element when it has one.
 */
export interface SectionParagraph extends ParagraphView {
  /** The paragraph is the section's heading line. */
  heading: boolean;
}

export interface SectionView {
  docId: string;
  doc: string;
  /** Titles from the top-level part down to this section. */
  path: string[];
  /** The paragraph asked for, when the section was looked up by paragraph. */
  focus?: number;
  paragraphs: SectionParagraph[];
}

export const PATH_SEPARATOR = ' › ';

/** Every paragraph of a document, in order (the engine numbers them from 0 without gaps). */
export function paragraphsOf(engine: Pick<ChannelEngine, 'paragraph'>, docId: string): ParagraphView[] {
  const out: ParagraphView[] = [];
  for (let i = 0; ; i++) {
    const p = engine.paragraph(docId, i);
    if (!p) return out;
    out.push(p);
  }
}

function pathOf(p: ParagraphView): string[] {
  return p.section ? p.section.split(PATH_SEPARATOR) : [];
}

/** The section a paragraph sits in: its path without its own topic. */
function containerOf(p: ParagraphView): string[] {
  const path = pathOf(p);
  return p.topic && path[path.length - 1] === p.topic ? path.slice(0, -1) : path;
}

function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.length <= path.length && prefix.every((t, i) => path[i] === t);
}

/**
 * The section with the given path (titles joined by ' › '), or the section that holds paragraph `n`.
 * Undefined when nothing matches.
 */
export function sectionView(
  paragraphs: readonly ParagraphView[],
  by: { path: string } | { paragraph: number },
): SectionView | undefined {
  let target: string[];
  let focus: number | undefined;
  if ('path' in by) {
    target = by.path
      .split(PATH_SEPARATOR)
      .map((s) => s.trim())
      .filter(Boolean);
  } else {
    const p = paragraphs[by.paragraph];
    if (!p) return undefined;
    target = containerOf(p);
    focus = p.paragraph;
  }
  const picked = paragraphs.filter((p) => startsWith(pathOf(p), target));
  const first = picked[0];
  if (!first) return undefined;
  return {
    docId: first.docId,
    doc: first.doc,
    path: target,
    ...(focus !== undefined ? { focus } : {}),
    paragraphs: picked.map((p) => {
      const path = pathOf(p);
      return { ...p, heading: !p.topic && p.text.trim() === path[path.length - 1] };
    }),
  };
}
