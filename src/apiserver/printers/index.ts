export type { ColumnDefinition, Printer, PrintContext, TableRowCondition } from './types.js';
export { printerFor } from './registry.js';
export { defaultPrinter } from './default-printer.js';
export { crdPrinter, type PrinterColumnSpec } from './crd-printer.js';
export { humanDuration } from './human-duration.js';
export { evalJSONPath, parseJSONPath, type JSONPathParse } from './jsonpath.js';
