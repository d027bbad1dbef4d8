/**
 * Width folding for structure detection. Reports come with full-width punctuation (，：；（一）！？)
 * or ASCII punctuation (, : ; (一) ! ?), often both in one file. Structure is detected on the folded
 * text, where every full-width ASCII form (U+FF01–U+FF5E) becomes its ASCII twin and the ideographic
 * space a space. The fold keeps UTF-16 length and positions, so an offset found in the folded text
 * slices the stored text exactly and quotes stay verbatim.
 *
 * ```ts
 * foldWidth('（一）扩大内需，提振消费。'); // '(一)扩大内需,提振消费。'
 * ```
 */
export function foldWidth(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let to = -1;
    if (c >= 0xff01 && c <= 0xff5e) to = c - 0xfee0;
    else if (c === 0x3000) to = 0x20;
    else if (c === 0x2015 || c === 0x2500) to = 0x2014; // ―― and ── written for the dash ——
    if (to < 0) continue;
    out += text.slice(start, i) + String.fromCharCode(to);
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/** Sentence terminators (after folding); closing quotes and brackets that follow stay with the sentence. */
export const TERMINATOR = /[。!?;]+[”’」』)]*/g;

/** A sentence ends here (after folding). */
export const ENDS_SENTENCE = /[。!?;][”’」』)]*$/;
