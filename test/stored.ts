/** Counting what an integration stored, after its outbox has drained, so a zero means nothing was accepted. */
import { database } from "../src/db/client";
import { deliveriesOf } from "../src/raw/deliveries";
import { countRows, drain, env } from "./helpers";

/** Drains the integration's outbox, then counts its rows in `table`. */
export async function storedCount(table: string, integrationId: string): Promise<number> {
  await drain(integrationId);
  return countRows(table, integrationId);
}

/** The latest original payload stored for a record, read back from R2 as the API reads it. */
export async function storedRaw(recordId: string): Promise<unknown> {
  return (await deliveriesOf(database(env.DB), env.RAW, recordId, "")).raw;
}
