// Cron expressions and path templates: parse or throw std::invalid_argument; expansion of a
// parsed template never crashes.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "schedule/cron_expression.h"
#include "schedule/path_template.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const freshness::CronExpression cron(text);
    for (unsigned month = 1; month <= 12; ++month) cron.MatchesDay(month, 13, month % 7);
  } catch (const std::invalid_argument&) {
  }
  try {
    const freshness::PathTemplate path(text);
    path.Expand(date::sys_days(date::year{2026} / 7 / 6));
    path.Expand(date::sys_days(date::year{1970} / 1 / 1));
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
