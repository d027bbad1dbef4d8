/**
 * GB18030 bytes of a string, for decoding tests: a reverse map of TextDecoder('gb18030') over every
 * two-byte code (GBK), plus two four-byte characters beyond it.
 */
export function gbEncoder(): (s: string) => Uint8Array {
  const decoder = new TextDecoder('gb18030');
  const map = new Map<string, number[]>([
    ['㐀', [0x81, 0x39, 0xee, 0x39]], // U+3400, CJK extension A
    ['𠀀', [0x95, 0x32, 0x82, 0x36]], // U+20000, CJK extension B
  ]);
  for (let a = 0x81; a <= 0xfe; a++) {
    for (let b = 0x40; b <= 0xfe; b++) {
      if (b === 0x7f) continue;
      const ch = decoder.decode(new Uint8Array([a, b]));
      if (ch.length === 1 && ch !== '\ufffd' && !map.has(ch)) map.set(ch, [a, b]);
    }
  }
  return (s) => {
    const out: number[] = [];
    for (const ch of s) {
      const c = ch.codePointAt(0)!;
      if (c < 0x80) out.push(c);
      else {
        const code = map.get(ch);
        if (!code) throw new Error(`no GB18030 code for ${ch}`);
        out.push(...code);
      }
    }
    return Uint8Array.from(out);
  };
}
