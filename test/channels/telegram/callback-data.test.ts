import { describe, expect, it } from 'vitest';
import { decodeAction, encodeAction, type ButtonAction } from '../../../src/channels/telegram/callback-data.ts';

describe('callback data', () => {
  const actions: ButtonAction[] = [
    { kind: 'paragraph', token: 'AbC-_123' },
    { kind: 'related', token: 'x' },
    { kind: 'up', token: 'tok' },
    { kind: 'down', token: 'tok' },
    { kind: 'example', index: 4 },
    { kind: 'outline', path: [0, 1, 12] },
    { kind: 'show', doc: 0, paragraph: 26 },
  ];

  it('round-trips every action within 64 bytes', () => {
    for (const a of actions) {
      const data = encodeAction(a);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(decodeAction(data)).toEqual(a);
    }
  });

  it('rejects data it did not write', () => {
    for (const data of ['', 'p:', 'z:1', 'x:abc', 'o:1..2', 'g:1', 'g:1:2:3', 'p:<script>', 'u:' + 'a'.repeat(40), 'x:-1']) {
      expect(decodeAction(data), data).toBeUndefined();
    }
  });
});
