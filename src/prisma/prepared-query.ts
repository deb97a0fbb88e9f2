/**
 * A named SQL statement with typed rows and parameters, run on the process's pg pool as a **prepared statement**:
 * PostgreSQL parses and plans it once per connection, later executions only bind and run. For the hot queries only
 * (authentication on every request): Prisma's own query building is skipped and the row type is declared here,
 * next to the SQL that produces it.
 *
 * Rules for the SQL: select every column under the name of the row field; return `timestamp` columns with
 * `AT TIME ZONE 'UTC'` (Prisma stores UTC in `timestamp without time zone`, which pg would read as local time);
 * cast enums to text.
 */
export interface PreparedQuery<Row, Params extends readonly unknown[]> {
  readonly name: string;
  readonly text: string;
  /** Phantom fields: carry the row and parameter types. */
  readonly row?: Row;
  readonly params?: Params;
}

const names = new Set<string>();

/** Declares a prepared statement. Names are unique per process (a prepared statement name is per connection). */
export function preparedQuery<Row, Params extends readonly unknown[]>(
  name: string,
  text: string,
): PreparedQuery<Row, Params> {
  if (names.has(name)) throw new Error(`Prepared statement ${name} is declared twice`);
  names.add(name);
  return { name, text };
}
