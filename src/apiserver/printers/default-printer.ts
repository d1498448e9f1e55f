import { rfc3339 } from '../../machinery/clock.js';
import { column, nameColumn, nameOf, parseTime } from './format.js';
import type { Printer } from './types.js';

/**
 * What the server answers for kinds without a dedicated printer (roles,
 * limit ranges, CRDs...): the name and the creation time as an absolute
 * RFC 3339 date, which kubectl shows as CREATED AT.
 */
export const defaultPrinter: Printer = {
  columns: [
    nameColumn,
    column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'),
  ],
  cells(obj) {
    const t = parseTime(obj?.metadata?.creationTimestamp);
    // Go formats the zero time when there is none.
    return [nameOf(obj), t === undefined ? '0001-01-01T00:00:00Z' : rfc3339(t)];
  },
};
