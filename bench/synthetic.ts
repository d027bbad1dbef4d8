import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Report-like synthetic corpora for the scale run: the real report rewritten per document with another
 * district name, other figures (scaled by a seeded random factor) and other project names, so the index
 * grows like a folder of many districts' reports rather than copies of one.
 */

const STEMS = '东西南北中新安康宁和平兴华源泉城港湾山河海川林阳江湖云星光明德仁义礼智信'.split('');
const TAILS = '港 湾 城 川 山 河 源 阳 江 桥 门 州'.split(' ');

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

export function districtName(i: number): string {
  const a = STEMS[i % STEMS.length]!;
  const b = TAILS[Math.floor(i / STEMS.length) % TAILS.length]!;
  const c = Math.floor(i / (STEMS.length * TAILS.length));
  return `${a}${b}${c ? STEMS[c % STEMS.length] : ''}区`;
}

export function writeSyntheticCorpus(sourceDir: string, outDir: string, count: number): string {
  const file = readdirSync(sourceDir).find((f) => f.endsWith('.txt'))!;
  const text = readFileSync(join(sourceDir, file), 'utf8');
  const meta = JSON.parse(readFileSync(join(sourceDir, file.replace(/\.txt$/, '.json')), 'utf8'));
  const reports = join(outDir, 'reports');
  mkdirSync(reports, { recursive: true });
  for (let i = 0; i < count; i++) {
    const random = rng(i + 1);
    const name = i === 0 ? meta.region : districtName(i);
    const short = name.replace(/区$/, '');
    let body = i === 0 ? text : text.replaceAll('市北区', name).replaceAll('市北', short);
    if (i > 0) {
      body = body.replace(/\d+(?:\.\d+)?/g, (m) => {
        if (/^20\d\d$/.test(m)) return m;
        const scaled = Number(m) * (0.5 + random() * 1.5);
        return m.includes('.') ? scaled.toFixed(1) : String(Math.max(1, Math.round(scaled)));
      });
      body = body.replace(/(劲松三路|长山路|敦化路|西吴一路|南京路|唐河路|海岸路|傍海中路)/g, (m) => `${STEMS[Math.floor(random() * STEMS.length)]}${m.slice(1)}`);
    }
    const id = `synthetic-${String(i).padStart(4, '0')}`;
    writeFileSync(join(reports, `${id}.txt`), body);
    writeFileSync(
      join(reports, `${id}.json`),
      JSON.stringify({ ...meta, id, title: `${name}2025年政府工作报告`, region: name }),
    );
  }
  return reports;
}
