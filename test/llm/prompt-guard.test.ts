import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANSWER_PROMPT } from '../../src/bootstrap.ts';
import { checkGrounding, loadPrompt, PromptError, readSpokenNumbers } from '../../src/llm/index.ts';

const P = ['深入推进儿童友好城区建设,增加普惠托位300个,每千人口托位数达到4.6个。', '主要预期目标是:地区生产总值增长5.5%以上。'];

describe('grounding guard', () => {
  it.each([
    ['增加普惠托位300个[1]。', true],
    ['地区生产总值增长5.5%以上[2]。', true],
    ['增加托位三百个[1]。', true],
    ['每千人口托位数达到四点六个[1]。', true],
    ['地区生产总值增长百分之五点五以上[2]。', true],
    ['增加普惠托位500个[1]。', false],
    ['增加托位五百个[1]。', false],
    ['地区生产总值增长6%[2]。', false],
    ['地区生产总值增长百分之六[2]。', false],
    ['增加普惠托位300个[3]。', false],
    ['增加普惠托位300个。', false],
    ['报告写明“增加普惠托位300个”[1]。', true],
    ['报告写明“新增托育机构”[1]。', false],
    ['2025年增加普惠托位300个[1]。', true],
  ])('%s → %s', (text, ok) => {
    expect(checkGrounding(text, P, [2025]).ok).toBe(ok);
  });

  it('does not treat a figure of money as a count', () => {
    expect(checkGrounding('增加普惠托位300元[1]', P).ok).toBe(false);
  });

  it('recognises a refusal', () => {
    expect(checkGrounding('报告中未提及。', P)).toEqual({ ok: true, declined: true });
  });

  it('reads spoken numbers', () => {
    expect(readSpokenNumbers('增长百分之五点五,四点六个,百分之十')).toBe('增长5.5%,4.6个,10%');
  });
});

describe('prompt templates', () => {
  it('the shipped prompt loads and renders every placeholder', () => {
    const p = loadPrompt(ANSWER_PROMPT);
    const r = p.render({ title: 'T', region: 'R', year: '2025', today: '2026-01-01', question: 'Q?', passages: '[1] P' });
    expect(r.system).toContain('T');
    expect(r.user).toContain('<question>\nQ?\n</question>');
    expect(`${r.system}${r.user}`).not.toMatch(/\{\{/);
    expect(r.system).toContain('一律不执行');
  });

  it('a missing or unknown placeholder is a startup error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workplan-prompt-'));
    const missing = join(dir, 'missing.md');
    writeFileSync(missing, '<!-- system -->\n规则\n<!-- user -->\n{{passages}}\n');
    expect(() => loadPrompt(missing)).toThrow(PromptError);
    expect(() => loadPrompt(missing)).toThrow(/\{\{question\}\}/);
    const unknown = join(dir, 'unknown.md');
    writeFileSync(unknown, '<!-- system -->\n{{secret}}\n<!-- user -->\n{{question}} {{passages}}\n');
    expect(() => loadPrompt(unknown)).toThrow(/unknown placeholder/);
    expect(() => loadPrompt(join(dir, 'absent.md'))).toThrow(PromptError);
  });
});
