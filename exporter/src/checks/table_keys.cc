#include "checks/table_keys.h"

#include "db/sql_text.h"

namespace freshness {

std::string ReadQuotedIdentifier(MappingReader& reader, const std::string& key, bool qualified) {
  const std::string name = reader.RequiredString(key);
  const std::optional<std::string> quoted =
      qualified ? QuoteQualifiedName(name) : QuoteColumnName(name);
  if (!quoted) {
    reader.FailAt(
        reader.Raw(key), key,
        std::string("invalid ") + (qualified ? "table" : "column") + " name \"" + name + "\"");
  }
  return *quoted;
}

Duration ReadWindow(MappingReader& reader) {
  const Duration window = reader.DurationValue("window", Duration(86'400'000));
  if (window < Duration(1000)) reader.Fail("window", "must be at least 1s");
  return window;
}

std::string ReadWhereClause(MappingReader& reader) {
  const std::optional<std::string> where = reader.OptionalString("where");
  if (!where) return "";
  if (where->find_first_not_of(" \t\r\n") == std::string::npos) {
    reader.Fail("where", "must not be empty");
  }
  return " AND (" + *where + ")";
}

}  // namespace freshness
