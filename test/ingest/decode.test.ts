import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gbEncoder } from '../helpers/gbk.ts';
import { describe, expect, it } from 'vitest';
import { decodeText, sniffHtmlCharset } from '../../src/ingest/decode.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/provinces-2026');
const report = readFileSync(join(FIXTURES, '2026_云南省_政府工作报告.txt'), 'utf8').replace(/\r\n?/g, '\n');

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function utf16(s: string, bigEndian: boolean): Uint8Array {
  const le = Buffer.from(`\ufeff${s}`, 'utf16le');
  if (bigEndian) for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return new Uint8Array(le);
}

const gb = gbEncoder();

describe('decodeText', () => {
  it('UTF-8 with and without a BOM; CRLF and CR become LF', () => {
    expect(decodeText(utf8(report))).toBe(report);
    expect(decodeText(utf8(`\ufeff${report}`))).toBe(report);
    expect(decodeText(utf8(report.replace(/\n/g, '\r\n')))).toBe(report);
    expect(decodeText(utf8('各位代表：\r现在，\r\n我代表'))).toBe('各位代表：\n现在，\n我代表');
    expect(decodeText(new Uint8Array(0))).toBe('');
  });

  it('UTF-16 LE and BE with a BOM (Notepad’s “Unicode”)', () => {
    const text = `${report}\n𠀀 ext-B and emoji 😀`;
    expect(decodeText(utf16(text.replace(/\n/g, '\r\n'), false))).toBe(text);
    expect(decodeText(utf16(text, true))).toBe(text);
  });

  it('GB18030/GBK plain text (not valid UTF-8) without a hint', () => {
    const text = `${report}\n罕见字：㐀、𠀀\n`;
    const bytes = gb(text.replace(/\n/g, '\r\n'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(decodeText(bytes)).toBe(text);
  });

  it('a charset hint is used; GB labels read as GB18030; unknown labels are ignored', () => {
    const bytes = gb('政府工作报告——各位代表！');
    for (const label of ['gbk', 'GB2312', 'gb18030', 'x-gbk', 'cp936', '"gb2312"']) {
      expect(decodeText(bytes, label)).toBe('政府工作报告——各位代表！');
    }
    expect(decodeText(bytes, 'no-such-charset')).toBe('政府工作报告——各位代表！');
    expect(decodeText(Uint8Array.from([0xa4, 0xa4, 0xa4, 0xe5]), 'big5')).toBe('中文');
  });

  it('a stale hint loses to the evidence: UTF-8 bytes under gb2312, GBK bytes under utf-8', () => {
    expect(decodeText(utf8('政府工作报告'), 'gb2312')).toBe('政府工作报告');
    expect(decodeText(gb('政府工作报告'), 'utf-8')).toBe('政府工作报告');
    // A BOM beats any hint.
    expect(decodeText(utf8('\ufeff政府工作报告'), 'gbk')).toBe('政府工作报告');
  });

  it('a GBK page decodes with the charset its <meta> declares', () => {
    const html = `<!DOCTYPE html>\r\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">\r\n<title>2026年政府工作报告_云南省人民政府</title></head><body><p>${report.split('\n').slice(14, 20).join('</p><p>')}</p></body></html>`;
    const bytes = gb(html);
    expect(sniffHtmlCharset(bytes)).toBe('gb2312');
    expect(decodeText(bytes, sniffHtmlCharset(bytes))).toBe(html.replace(/\r\n/g, '\n'));
  });
});

describe('sniffHtmlCharset', () => {
  it('reads <meta charset>, http-equiv and XML declarations', () => {
    expect(sniffHtmlCharset(utf8('<!DOCTYPE html><html><head><meta charset="GBK"><title>x</title>'))).toBe('gbk');
    expect(sniffHtmlCharset(utf8("<head><meta charset='utf-8' />"))).toBe('utf-8');
    expect(sniffHtmlCharset(utf8('<meta http-equiv="Content-Type" content="text/html; charset=gb18030" />'))).toBe('gb18030');
    expect(sniffHtmlCharset(utf8('<META CONTENT="text/html;charset=GB2312" HTTP-EQUIV="Content-Type">'))).toBe('gb2312');
    expect(sniffHtmlCharset(utf8('<?xml version="1.0" encoding="gbk"?><html>'))).toBe('gbk');
    expect(sniffHtmlCharset(utf8('<html><head><title>无声明</title></head>'))).toBeUndefined();
    expect(sniffHtmlCharset(new Uint8Array(0))).toBeUndefined();
  });
});
