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

  it("reads a user's <!DOCTYPE html> in CDATA or escaped text as words, not as a declaration", () => {
    const cdata = parseXml(textXml({ from: 'o_user', to: 'gh_1', content: '<!DOCTYPE html><!ENTITY x "y"> 是什么', msgId: '1' }));
    expect(cdata.get('Content')).toBe('<!DOCTYPE html><!ENTITY x "y"> 是什么');
    const escaped = parseXml('<xml><MsgType>text</MsgType><Content>&lt;!DOCTYPE html&gt; 是什么</Content><!-- <!DOCTYPE note --></xml>');
    expect(escaped.get('Content')).toBe('<!DOCTYPE html> 是什么');
  });

  it('still refuses a declaration in the envelope, wherever a fake CDATA opening tries to hide it', () => {
    const inert = '<![CDATA[ <!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]> ]]>';
    const hidden = [
      `<xml><Content>${inert}</Content></xml><!DOCTYPE x>`,
      `<xml><Content>${inert}</Content><!ENTITY e "x"></xml>`,
      '<!-- <![CDATA[ --><!DOCTYPE x [<!ENTITY e "e">]><xml><a>]]></a></xml>',
      '<xml a="<![CDATA["><!DOCTYPE x [<!ENTITY e "e">]><b>]]></b></xml>',
      '<?pi <![CDATA[ ?><!DOCTYPE x [<!ENTITY e "e">]><xml><a>]]></a></xml>',
      '<! DOCTYPE x><xml><a>1</a></xml>',
      '<!ELEMENT xml ANY><xml><a>1</a></xml>',
      '<xml><a><![IGNORE[ x ]]></a></xml>',
    ];
    for (const xml of hidden) expect(reason(() => parseXml(xml)), xml).toBe('doctype');
    for (const xml of ['<xml><a><![CDATA[ <!DOCTYPE x></a></xml>', '<xml><!-- <!DOCTYPE x></xml>', '<xml a="1><a>1</a></xml>']) {
      expect(reason(() => parseXml(xml)), xml).toBe('bad-xml');
    }
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
