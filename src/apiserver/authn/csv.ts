/**
 * The CSV dialect of Go's encoding/csv with TrimLeadingSpace and a variable
 * field count, which is what Kubernetes static credential files are read
 * with: blank lines are skipped, quoted fields may hold commas and `""`.
 */
export interface CSVRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

export type CSVParseResult = { kind: 'ok'; records: CSVRecord[] } | { kind: 'error'; message: string };

export function parseCSV(text: string): CSVParseResult {
  const records: CSVRecord[] = [];
  const src = text.replace(/^\uFEFF/, '');
  let i = 0;
  let line = 1;
  while (i < src.length) {
    // Blank lines hold no record.
    if (src[i] === '\n' || (src[i] === '\r' && src[i + 1] === '\n')) {
      i += src[i] === '\r' ? 2 : 1;
      line++;
      continue;
    }
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      while (src[i] === ' ' || src[i] === '\t') i++;
      let field = '';
      if (src[i] === '"') {
        const col = i;
        i++;
        for (;;) {
          if (i >= src.length) {
            return { kind: 'error', message: `parse error on line ${startLine}, column ${col + 1}: extraneous or missing " in quoted-field` };
          }
          const c = src[i]!;
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < src.length && src[i] !== ',' && src[i] !== '\n' && !(src[i] === '\r' && src[i + 1] === '\n')) {
          return { kind: 'error', message: `parse error on line ${line}: extraneous or missing " in quoted-field` };
        }
      } else {
        while (i < src.length && src[i] !== ',' && src[i] !== '\n' && !(src[i] === '\r' && src[i + 1] === '\n')) {
          if (src[i] === '"') return { kind: 'error', message: `parse error on line ${line}: bare " in non-quoted-field` };
          field += src[i];
          i++;
        }
      }
      fields.push(field);
      if (src[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    records.push({ line: startLine, fields });
    if (i < src.length) {
      i += src[i] === '\r' ? 2 : 1;
      line++;
    }
  }
  return { kind: 'ok', records };
}
