import { describe, expect, it } from 'vitest';
import { CallbackError } from '../../../src/channels/wechat/errors.ts';
import { buildXml, decodeEntities, parseXml } from '../../../src/channels/wechat/xml.ts';
import { BILLION_LAUGHS, readXml, textXml, XXE } from './helpers.ts';

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CallbackError ? err.reason : `unexpected ${String(err)}`;
  }
  return undefined;
}

describe('parseXml', () => {
  it('reads the fields of a text message, CDATA unwrapped, MsgId kept exact', () => {
    const fields = parseXml(textXml({ from: 'o_user', to: 'gh_1', content: ' 今年新增多少托位 ', msgId: '18446744073709551615' }));
    expect(fields.get('FromUserName')).toBe('o_user');
    expect(fields.get('ToUserName')).toBe('gh_1');
    expect(fields.get('MsgType')).toBe('text');
    expect(fields.get('MsgId')).toBe('18446744073709551615');
    expect(fields.get('Content')?.trim()).toBe('今年新增多少托位');
  });

  it('decodes only predefined entities and character references, once', () => {
    const fields = parseXml('<xml><A>a &amp;lt; b &lt; c &#x6258;&#20301; &unknown; &#0;</A><B><![CDATA[&amp; stays]]></B></xml>');
    expect(fields.get('A')).toBe('a &lt; b < c 托位 &unknown; &#0;');
    expect(fields.get('B')).toBe('&amp; stays');
    expect(decodeEntities('&amp;amp;')).toBe('&amp;');
  });

  it('joins CDATA sections split around "]]>"', () => {
    expect(parseXml(buildXml({ Content: 'a]]>b' })).get('Content')).toBe('a]]>b');
  });

  it('refuses XXE and entity expansion before parsing', () => {
    expect(reason(() => parseXml(XXE))).toBe('doctype');
    expect(reason(() => parseXml(BILLION_LAUGHS))).toBe('doctype');
    expect(reason(() => parseXml('<!doctype xml><xml><a>1</a></xml>'))).toBe('doctype');
  });

  it('leaves an undeclared entity reference inert', () => {
    expect(parseXml('<xml><Content>&xxe;</Content></xml>').get('Content')).toBe('&xxe;');
  });

  it('refuses malformed XML and documents without an <xml> root', () => {
    for (const bad of ['', 'success', '<xml><a>1</xml>', '<other><a>1</a></other>', '<xml>1</xml>', '<xml><__proto__>1</__proto__></xml>']) {
      expect(reason(() => parseXml(bad)), bad).toBe('bad-xml');
    }
  });
});

describe('buildXml', () => {
  it('writes CDATA text and plain numbers in order, readable by another parser', () => {
    const xml = buildXml({ ToUserName: 'o_user', CreateTime: 1740816000, MsgType: 'text', Content: '<b>&托位]]>' });
    expect(xml.startsWith('<xml><ToUserName><![CDATA[o_user]]></ToUserName><CreateTime>1740816000</CreateTime>')).toBe(true);
    expect(readXml(xml)).toEqual({ ToUserName: 'o_user', CreateTime: '1740816000', MsgType: 'text', Content: '<b>&托位]]>' });
  });
});
