import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../../src/answer/engine.ts';
import type { OutlineNode } from '../../../../src/answer/types.ts';
import { checkOf, decodeAction } from '../../../../src/channels/telegram/callback-data.ts';
import { levelAt } from '../../../../src/channels/telegram/features/outline.ts';
import { messages } from '../../../../src/channels/telegram/messages.ts';
import { testEngine } from '../../../helpers/engine.ts';

let engine: Engine;
let roots: OutlineNode[];
let report: string;
beforeAll(async () => {
  engine = await testEngine();
  roots = engine.outline();
  report = roots[0]!.docId;
});

describe('outline levels', () => {
  it('starts at the single document with its parts', () => {
    const level = levelAt(engine, roots)!;
    expect(level.title).toBe(messages.outline.title(roots[0]!.title));
    expect(roots[0]!.children.length).toBeGreaterThan(0);
    expect(level.entries.map((e) => e.label)).toEqual(roots[0]!.children.map((c) => c.title));
    expect(level.back).toBeUndefined();
  });

  it('lists a section’s topic paragraphs, each button showing its paragraph', () => {
    const part = roots[0]!.children.findIndex((c) => c.children.length > 0);
    const sectionIdx = roots[0]!.children[part]!.children.findIndex((c) => c.children.length > 0 && c.children.every((t) => t.level === 3));
    expect(part).toBeGreaterThanOrEqual(0);
    expect(sectionIdx).toBeGreaterThanOrEqual(0);
    const section = roots[0]!.children[part]!.children[sectionIdx]!;
    expect(section.children.length).toBeGreaterThan(0);
    const level = levelAt(engine, roots, { report, path: [part, sectionIdx] })!;
    expect(level.title).toBe(section.title);
    expect(level.heading).toBe(messages.outline.topics);
    expect(level.entries.map((e) => e.label)).toEqual(section.children.map((t) => t.title));
    const first = decodeAction((level.entries[0]!.button as { callback_data: string }).callback_data);
    const topic = section.children[0]!;
    expect(first).toEqual({ kind: 'show', report, paragraph: topic.paragraph, check: checkOf(engine.paragraph(report, topic.paragraph!)!.text) });
    expect(level.back).toEqual({ kind: 'outline', report, path: [part], check: checkOf(roots[0]!.children[part]!.title) });
  });

  it('lists the paragraphs of a part that has no subsections', () => {
    const leaf = roots[0]!.children.findIndex((c) => c.children.length === 0);
    expect(leaf).toBeGreaterThanOrEqual(0);
    const level = levelAt(engine, roots, { report, path: [leaf] })!;
    expect(level.entries.length).toBeGreaterThan(0);
    for (const e of level.entries) {
      const action = decodeAction((e.button as { callback_data: string }).callback_data);
      expect(action?.kind).toBe('show');
      const p = engine.paragraph(roots[0]!.docId, (action as { paragraph: number }).paragraph)!;
      expect(p.section).toBe(roots[0]!.children[leaf]!.title);
    }
  });

  it('rejects a path that does not exist', () => {
    expect(levelAt(engine, roots, { report: 'no-such-report', path: [] })).toBeUndefined();
    expect(levelAt(engine, roots, { report, path: [99] })).toBeUndefined();
  });
});
