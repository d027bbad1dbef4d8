import { describe, expect, it } from 'vitest';
import { loadLexicon } from '../../src/corpus/index.ts';
import { bigrams, createTokenizer, numberTerms } from '../../src/search/index.ts';
import { DICT_DIR } from '../helpers/engine.ts';

const lexicon = loadLexicon(DICT_DIR);
const tokenizer = createTokenizer({ words: lexicon.dictionary });

describe('tokenizer', () => {
  it('keeps domain words whole with the dictionary (the stock one splits 托位)', () => {
    const stock = createTokenizer();
    expect(stock.words('增加普惠托位300个')).not.toContain('托位');
    for (const word of ['托位', '普惠托位', '加装电梯', '充电桩', '专精特新']) {
      expect(tokenizer.words(`今年${word}的安排`)).toContain(word);
    }
    expect(tokenizer.words('每千人口托位数达到4.6个')).toContain('托位数');
  });

  it('indexes words, CJK bigrams and figures by value', () => {
    const terms = tokenizer.terms('增加普惠托位300个,新增就业4万人');
    expect(terms).toContain('w:托位');
    expect(terms).toContain('b:托位');
    expect(terms).toContain('b:惠托');
    expect(terms).toContain('n:300');
    expect(terms).toContain('n:40000');
  });

  it('produces bigrams only inside runs of CJK characters', () => {
    expect(bigrams('托位300个,GDP增长')).toEqual(['托位', '增长']);
    expect(numberTerms('两万多青年人才')).toEqual(['n:20000']);
  });

  it('ids differ when the dictionary differs, so an index built with another one is rebuilt', () => {
    expect(createTokenizer({ words: ['托位 100 n'] }).id).not.toBe(createTokenizer({ words: ['托育 100 n'] }).id);
  });
});
