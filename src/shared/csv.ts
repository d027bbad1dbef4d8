import { stringify } from 'csv-stringify/sync';

/**
 * CSV for spreadsheets, the one way this project writes it: a byte-order mark so Excel and WPS read
 * the Chinese as UTF-8, and every text cell neutralised so that no cell runs as a formula.
 *
 * Excel, WPS and LibreOffice run a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
 * return as a formula (`=HYPERLINK(…)`, `=cmd|…`), even from a CSV. Report text is text a stranger
 * wrote, so such a cell gets a leading `'` (OWASP's CSV injection advice, ASVS 1.2.10): spreadsheets
 * take it as "this is text" and do not show it; a plain-text reader sees it.
 *
 * ```ts
 * toCsv([['指标', '数值'], ['=1+1', -0.5]]); // '\ufeff指标,数值\n\'=1+1,-0.5\n'
 * ```
 */

/** What a cell may hold: numbers are written as numbers, nothing as an empty cell. */
export type CsvCell = string | number | null | undefined;

/** Leading characters that make a spreadsheet read a cell as a formula (NUL: ASVS lists it too). */
const FORMULA_START = /^[=+\-@\t\r\0]/;

/**
 * A cell as written to CSV. Text starting like a formula gets a leading `'` and keeps its visible
 * text. This includes report figures written as text, such as "-0.5%" or "+3%": they too show the
 * quote in a plain-text reader and are text in a spreadsheet, where they were text already. A figure
 * passed as a JS number ("-0.5") is a number to the spreadsheet, never a formula, and is left as is:
 * pass genuine numbers as numbers.
 */
export function neutraliseCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return String(cell);
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Rows (the header first) as CSV with a byte-order mark, every cell through `neutraliseCell`. */
export function toCsv(rows: ReadonlyArray<readonly CsvCell[]>): string {
  return `\ufeff${stringify(rows.map((row) => row.map(neutraliseCell)))}`;
}
