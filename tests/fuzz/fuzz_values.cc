// Value parsers fed by databases, HTTP servers and users: never crash, never throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "db/sql_text.h"
#include "probes/http_head.h"
#include "schedule/calendar.h"
#include "schedule/rfc3339.h"
#include "util/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  freshness::ParseDuration(text);
  freshness::ParseSqlNumber(text);
  freshness::ParseSqlTimestamp(text);
  freshness::QuoteQualifiedName(text);
  freshness::ParseRfc3339(text);
  freshness::ParseLastModified(text);
  freshness::ParseIsoDate(text);
  freshness::ParseWeekday(text);
  return 0;
}
