#include "store/internal/list_query.h"

#include <fmt/format.h>

namespace faxgate::sqlite {
namespace {

std::string StateParameter(size_t i) { return fmt::format(":state{}", i); }

}  // namespace

Result<std::string> ListSql(std::string_view select_from, std::string_view alias,
                            std::string_view time_column, const ListFilter& filter) {
  if (filter.limit < 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("a list limit must be at least 1, not {}", filter.limit));
  }
  std::string sql(select_from);
  sql += " WHERE 1 = 1";
  if (filter.owner_id) sql += fmt::format(" AND {}.owner_id = :owner_id", alias);
  if (!filter.states.empty()) {
    sql += fmt::format(" AND {}.state IN (", alias);
    for (size_t i = 0; i < filter.states.size(); ++i) {
      sql += (i == 0 ? "" : ", ") + StateParameter(i);
    }
    sql += ")";
  }
  if (filter.since) sql += fmt::format(" AND {}.{} >= :since", alias, time_column);
  if (filter.until) sql += fmt::format(" AND {}.{} < :until", alias, time_column);
  if (filter.before_id) sql += fmt::format(" AND {}.id < :before_id", alias);
  if (filter.group_id) sql += fmt::format(" AND {}.group_id = :group_id", alias);
  sql += fmt::format(" ORDER BY {}.id DESC LIMIT :limit", alias);
  return sql;
}

void BindList(Statement& statement, const ListFilter& filter) {
  if (filter.owner_id) statement.Bind(":owner_id", *filter.owner_id);
  for (size_t i = 0; i < filter.states.size(); ++i) {
    statement.Bind(StateParameter(i).c_str(), filter.states[i]);
  }
  if (filter.since) statement.Bind(":since", *filter.since);
  if (filter.until) statement.Bind(":until", *filter.until);
  if (filter.before_id) statement.Bind(":before_id", *filter.before_id);
  if (filter.group_id) statement.Bind(":group_id", *filter.group_id);
  statement.Bind(":limit", filter.limit);
}

}  // namespace faxgate::sqlite
