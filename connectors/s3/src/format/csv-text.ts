import { DataError } from '@sluice/core';

/** A CSV cell: `null` is written as an empty unquoted cell, `''` as `""`, so the two survive a round trip. */
export type CsvCell = string | null;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One RFC 4180 row with a trailing `\n`: cells with commas, quotes, line breaks or edge spaces are quoted. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvField).join(',')}\n`;
}

function csvField(cell: CsvCell): string {
  if (cell === null) return '';
  if (cell === '' || NEEDS_QUOTES.test(cell)) return `"${cell.replace(/"/g, '""')}"`;
  return cell;
}

/**
 * Parses RFC 4180 text (LF or CRLF rows, quoted cells may span lines) into rows. An empty unquoted
 * cell is `null`, a quoted empty cell `''`. A final line break does not start a row. Throws
 * DataError on an unterminated quote or text after a closing quote.
 */
export function parseCsv(text: string): CsvCell[][] {
  const rows: CsvCell[][] = [];
  let row: CsvCell[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return rows;
  for (;;) {
    let cell: CsvCell;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) throw new DataError('CSV: unterminated quoted cell');
        value += text.slice(i, close);
        i = close + 1;
        if (text[i] === '"') {
          value += '"';
          i++;
          continue;
        }
        break;
      }
      cell = value;
      if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r')
        throw new DataError('CSV: text after a closing quote');
    } else {
      let end = i;
      while (end < n && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
      cell = end === i ? null : text.slice(i, end);
      i = end;
    }
    row.push(cell);
    if (i >= n) {
      rows.push(row);
      return rows;
    }
    const sep = text[i];
    if (sep === ',') {
      i++;
      continue;
    }
    // end of row: \n or \r\n (a lone \r is treated as a row end too)
    i += sep === '\r' && text[i + 1] === '\n' ? 2 : 1;
    rows.push(row);
    row = [];
    if (i >= n) return rows;
  }
}
