// The versioned schema. Each migration has a number, runs once, in its own transaction, and is
// recorded in schema_migrations; a database is at the version of its highest recorded
// migration. Migrations are only ever appended: a released one is never edited.
#pragma once

#include "base/result.h"
#include "store/internal/sqlite_db.h"

namespace faxgate::sqlite {

// The version this build brings a database to.
int LatestSchemaVersion();

// The highest migration applied to `db`; 0 for an empty database.
Result<int> SchemaVersion(Db& db);

// Applies every migration above the database's version and returns how many ran. Refuses a
// database from a newer faxgate (kFailedPrecondition) rather than guess at its schema.
Result<int> Migrate(Db& db);

}  // namespace faxgate::sqlite
