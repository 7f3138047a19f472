/**
 * @module
 * The drizzle handle on D1.
 */
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** Opens drizzle on a D1 binding. */
export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Database = ReturnType<typeof database>;
