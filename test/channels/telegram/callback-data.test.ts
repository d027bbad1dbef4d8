import { describe, expect, it } from 'vitest';
import { checkOf, decodeAction, encodeAction, reportFor, type ButtonAction } from '../../../src/channels/telegram/callback-data.ts';

const bytes = (s: string): number => Buffer.byteLength(s);

/** Ids as deployments name reports: romanised, file names in Chinese, long ones, odd characters. */
const LONG_CJK = '河北省2026年政府工作报告（河北省第十四届人民代表大会第四次会议）';
const documents = [
  { id: 'shibei-2025' },
  { id: '2026_新疆维吾尔自治区_政府工作报告' },
  { id: LONG_CJK },
  { id: `${LONG_CJK}·修订稿` },
  { id: '报'.repeat(200) },
  { id: 'a:b:c' },
  { id: '~tilde' },
  { id: '~AAAAAAAAAA' },
];

describe('callback data', () => {
  const actions: ButtonAction[] = [
    { kind: 'paragraph', token: 'AbC-_123' },
    { kind: 'related', token: 'x' },
    { kind: 'up', token: 'tok' },
    { kind: 'down', token: 'tok' },
    { kind: 'example', index: 4 },
    { kind: 'outlines' },
    { kind: 'outline', report: 'shibei-2025', path: [1, 12], check: checkOf('(一)坚持扩大需求') },
    { kind: 'outline', report: 'shibei-2025', path: [], check: checkOf('市北区2025年政府工作报告') },
    { kind: 'show', report: 'shibei-2025', paragraph: 26, check: checkOf('多点发力提振消费。') },
    { kind: 'choose', report: 'shibei-2025' },
    { kind: 'choose' },
  ];

  it('round-trips every action within 64 bytes', () => {
    for (const a of actions) {
      const data = encodeAction(a);
      expect(bytes(data)).toBeLessThanOrEqual(64);
      expect(decodeAction(data)).toEqual(a);
    }
  });

  it('names a report by its id, whole when it fits', () => {
    expect(encodeAction({ kind: 'show', report: 'shibei-2025', paragraph: 26, check: 'AbCd' })).toBe('s:26:AbCd:shibei-2025');
    expect(encodeAction({ kind: 'outline', report: '2026_新疆维吾尔自治区_政府工作报告', path: [0, 3], check: 'AbCd' })).toBe(
      'n:0.3:AbCd:2026_新疆维吾尔自治区_政府工作报告',
    );
    expect(encodeAction({ kind: 'choose', report: 'a:b:c' })).toBe('k:a:b:c');
  });

  it('stays within 64 bytes for long Chinese ids and finds the same report again, among similar ones', () => {
    for (const { id } of documents) {
      const made: ButtonAction[] = [
        { kind: 'show', report: id, paragraph: 999_999, check: checkOf('段落') },
        { kind: 'outline', report: id, path: [999, 999, 999, 999], check: checkOf('标题') },
        { kind: 'outline', report: id, path: [], check: checkOf('标题') },
        { kind: 'choose', report: id },
      ];
      for (const a of made) {
        const data = encodeAction(a);
        expect(bytes(data), data).toBeLessThanOrEqual(64);
        const back = decodeAction(data);
        expect(back?.kind, data).toBe(a.kind);
        expect(reportFor((back as { report: string }).report, documents)?.id, data).toBe(id);
      }
    }
    // Too long to carry whole: a digest of the whole id, so ids that differ only at the end differ.
    const a = encodeAction({ kind: 'choose', report: LONG_CJK });
    const b = encodeAction({ kind: 'choose', report: `${LONG_CJK}·修订稿` });
    expect(a).toMatch(/^k:~[\w-]{10}$/);
    expect(a).not.toBe(b);
  });

  it('finds no report for an id or digest no loaded report has', () => {
    const removed = decodeAction(encodeAction({ kind: 'choose', report: `${LONG_CJK}（已删除）` })) as { report: string };
    expect(reportFor(removed.report, documents)).toBeUndefined();
    expect(reportFor('shibei-2024', documents)).toBeUndefined();
    expect(reportFor('~BBBBBBBBBB', documents)).toBeUndefined();
    // A `~` reference is a digest, never an id: an id that starts with `~` is carried as its digest.
    expect(reportFor('~tilde', documents)).toBeUndefined();
    expect(reportFor('~AAAAAAAAAA', documents)).toBeUndefined();
    expect(encodeAction({ kind: 'choose', report: '~tilde' })).toMatch(/^k:~[\w-]{10}$/);
    // A digest two loaded reports share names neither.
    const ref = (decodeAction(encodeAction({ kind: 'choose', report: LONG_CJK })) as { report: string }).report;
    expect(reportFor(ref, [{ id: LONG_CJK }, { id: LONG_CJK }])).toBeUndefined();
  });

  it('checks what a button opens by a short digest of its text', () => {
    expect(checkOf('增加普惠托位300个')).toMatch(/^[\w-]{4}$/);
    expect(checkOf('增加普惠托位300个')).toBe(checkOf('增加普惠托位300个'));
    expect(checkOf('增加普惠托位300个')).not.toBe(checkOf('增加普惠托位400个'));
  });

  it('rejects data it did not write, old positional buttons included', () => {
    const forged = [
      '', 'p:', 'z:1', 'x:abc', 'p:<script>', 'u:' + 'a'.repeat(40), 'x:-1',
      // Positional buttons of earlier versions: the place may now hold another report.
      'g:0:26', 'g:1', 'g:1:2:3', 'o:0', 'o:0.1.4', 'o:', 'c:0', 'c:12',
      // Malformed report-addressed data.
      's:1:abc:shibei-2025', 's:-1:AAAA:shibei-2025', 's:1:AAAA:', 's::AAAA:shibei-2025', 's:1:shibei-2025',
      'n:1..2:AAAA:shibei-2025', 'n:1.x:AAAA:shibei-2025', 'n:1:AAAA', 'n:', 'k:', 'c:shibei-2025',
      `s:1:AAAA:${'报'.repeat(20)}`, // over 64 bytes
    ];
    for (const data of forged) expect(decodeAction(data), data).toBeUndefined();
  });
});
