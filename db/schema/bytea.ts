import { customType } from "drizzle-orm/pg-core";

/** PostgreSQL bytea as a Node Buffer / Uint8Array. */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType() {
    return "bytea";
  },
});
