/**
 * Tables for custom resources from the CRD version's additionalPrinterColumns:
 * Name first, then each column evaluated with its JSONPath. A version with
 * no columns gets Age, as the apiextensions server serves by default.
 */
import { humanDuration } from './human-duration.js';
import { evalJSONPath } from './jsonpath.js';
import { creationTimestampDescription, nameColumn, nameOf } from './format.js';
import type { ColumnDefinition, Printer, PrintContext } from './types.js';

export interface PrinterColumnSpec {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

const columnTypes = new Set(['string', 'integer', 'number', 'boolean', 'date']);

export function crdPrinter(columns: PrinterColumnSpec[]): Printer {
  const specs: PrinterColumnSpec[] =
    columns.length > 0
      ? columns
      : [{ name: 'Age', type: 'date', description: creationTimestampDescription, jsonPath: '.metadata.creationTimestamp' }];
  const defs: ColumnDefinition[] = [
    nameColumn,
    ...specs.map((c) => ({
      name: c.name,
      type: (columnTypes.has(c.type) ? c.type : 'string') as ColumnDefinition['type'],
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ];
  return {
    columns: defs,
    cells(obj: any, ctx: PrintContext) {
      return [nameOf(obj), ...specs.map((c) => cellFor(c.type, evalJSONPath(obj, c.jsonPath), ctx))];
    },
  };
}

/** One cell: the first match converted to the column type, null when missing or mistyped. */
function cellFor(type: string, results: unknown[], ctx: PrintContext): unknown {
  if (results.length === 0) return null;
  const value = results[0];
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      if (Number.isNaN(t)) return '<invalid>';
      return humanDuration(ctx.now - t);
    }
    default:
      return null;
  }
}
