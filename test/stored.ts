/** Counting what an integration stored, after its outbox has drained, so a zero means nothing was accepted. */
import { countRows, drain } from "./helpers";

/** Drains the integration's outbox, then counts its rows in `table`. */
export async function storedCount(table: string, integrationId: string): Promise<number> {
  await drain(integrationId);
  return countRows(table, integrationId);
}
