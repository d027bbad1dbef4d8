import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine, OutlineNode, ParagraphView } from '../../src/answer/index.ts';
import { paragraphsOf, PATH_SEPARATOR, sectionView } from '../../src/server/section.ts';
import { testEngine } from '../helpers/engine.ts';

let engine: Engine;
let docId: string;
let all: ParagraphView[];
beforeAll(async () => {
  engine = await testEngine();
  docId = engine.info.documents[0]!.id;
  all = paragraphsOf(engine, docId);
});

function walk(nodes: OutlineNode[], ancestors: string[] = [], out: Array<{ node: OutlineNode; path: string[] }> = []) {
  for (const n of nodes) {
    const path = n.level === 0 ? [] : [...ancestors, n.title];
    out.push({ node: n, path });
    walk(n.children, path, out);
  }
  return out;
}

describe('paragraphsOf', () => {
  it('lists every paragraph of the document in order', () => {
    expect(all.length).toBeGreaterThan(0);
    expect(all.map((p) => p.paragraph)).toEqual(all.map((_, i) => i));
    expect(engine.paragraph(docId, all.length)).toBeUndefined();
  });
});

describe('sectionView', () => {
  it('opens every section of the outline by its path', () => {
    const sections = walk(engine.outline()).filter((e) => e.node.level === 1 || e.node.level === 2);
    expect(sections.length).toBeGreaterThan(0);
    for (const { path } of sections) {
      const view = sectionView(all, { path: path.join(PATH_SEPARATOR) });
      expect(view, path.join(PATH_SEPARATOR)).toBeDefined();
      expect(view!.path).toEqual(path);
      for (const p of view!.paragraphs) expect(p.section.split(PATH_SEPARATOR).slice(0, path.length)).toEqual(path);
      // In document order, without gaps in what belongs to the section.
      const numbers = view!.paragraphs.map((p) => p.paragraph);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
  });

  it('opens the section holding a topic paragraph, focused on it', () => {
    const topics = walk(engine.outline()).filter((e) => e.node.level === 3);
    for (const { node, path } of topics) {
      const view = sectionView(all, { paragraph: node.paragraph! });
      expect(view!.focus).toBe(node.paragraph);
      expect(view!.path).toEqual(path.slice(0, -1));
      expect(view!.paragraphs.some((p) => p.paragraph === node.paragraph)).toBe(true);
    }
  });

  it('flags heading lines', () => {
    const headings = walk(engine.outline()).filter((e) => e.node.level === 2 && e.node.paragraph !== undefined);
    for (const { node, path } of headings) {
      const view = sectionView(all, { path: path.join(PATH_SEPARATOR) })!;
      const flagged = view.paragraphs.filter((p) => p.heading).map((p) => p.paragraph);
      expect(flagged).toContain(node.paragraph);
    }
  });

  it('opens the whole document for an empty path, and nothing for unknown ones', () => {
    expect(sectionView(all, { path: '' })!.paragraphs).toHaveLength(all.length);
    expect(sectionView(all, { path: '没有这一部分' })).toBeUndefined();
    expect(sectionView(all, { paragraph: all.length })).toBeUndefined();
    expect(sectionView([], { path: '' })).toBeUndefined();
  });
});
