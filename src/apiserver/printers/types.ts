/**
 * A printer turns an object into one meta.k8s.io/v1 Table row. The server
 * always produces every column (kubectl hides priority > 0 unless asked
 * for `-o wide`), so `cells` returns one value per column, in order.
 */
export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PrintContext {
  /** Milliseconds since the epoch; ages are measured against it. */
  now: number;
}

export interface Printer {
  columns: ColumnDefinition[];
  cells(obj: any, ctx: PrintContext): unknown[];
  /** Row conditions, e.g. Completed for finished pods. */
  conditions?(obj: any): TableRowCondition[] | undefined;
}
