// The filters that job and inbound fax lists share (owner, states, time range, cursor, limit),
// turned into a WHERE clause with placeholders. The SQL text depends only on which filters are
// present, never on their values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/internal/sqlite_db.h"

namespace faxgate::sqlite {

struct ListFilter {
  std::optional<int64_t> owner_id;
  std::vector<std::string> states;  // names as stored
  std::optional<TimePoint> since;
  std::optional<TimePoint> until;
  std::optional<int64_t> before_id;
  int limit = 100;
  std::optional<int64_t> group_id;  // jobs only: one submission's
};

// `select_from` is "SELECT ... FROM table t JOIN ...", `alias` the listed table's alias ("j"),
// `time_column` the column since/until apply to. Newest (highest id) first.
Result<std::string> ListSql(std::string_view select_from, std::string_view alias,
                            std::string_view time_column, const ListFilter& filter);
void BindList(Statement& statement, const ListFilter& filter);

}  // namespace faxgate::sqlite
