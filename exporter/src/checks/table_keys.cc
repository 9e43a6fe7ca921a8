#include "checks/table_keys.h"

#include <cctype>

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

std::optional<std::string> ReadSqlCondition(MappingReader& reader, const std::string& key) {
  const std::optional<std::string> text = reader.OptionalString(key);
  if (!text) return std::nullopt;
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    reader.Fail(key, "must not be empty");
  }
  if (text->find(';') != std::string::npos) {
    reader.FailAt(reader.Raw(key), key,
                  "must be a single SQL condition, without \";\" (it is put into the check's "
                  "own statement)");
  }
  return *text;
}

namespace {

// The column name in PostgreSQL's 'column "x" does not exist' (or 'column t.x does not exist').
std::string MissingColumn(const std::string& message) {
  const std::string marker = "column ";
  const std::size_t at = message.find(marker);
  if (at == std::string::npos) return "";
  std::size_t begin = at + marker.size();
  std::size_t end = 0;
  if (begin < message.size() && message[begin] == '"') {
    ++begin;
    end = message.find('"', begin);
  } else {
    end = message.find(' ', begin);
  }
  if (end == std::string::npos) return "";
  std::string name = message.substr(begin, end - begin);
  if (const std::size_t dot = name.rfind('.'); dot != std::string::npos) name.erase(0, dot + 1);
  return name;
}

bool ContainsWord(const std::string& text, const std::string& word) {
  if (word.empty()) return false;
  const auto is_word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  };
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool left = at == 0 || !is_word(text[at - 1]);
    const bool right = at + word.size() >= text.size() || !is_word(text[at + word.size()]);
    if (left && right) return true;
  }
  return false;
}

}  // namespace

void RethrowNamed(const CheckError& error, const std::string& check, const std::string& table,
                  const std::vector<SqlKeyText>& keys, const std::string& condition_key) {
  if (error.reason() != ErrorReason::kQuery) throw error;
  const std::string what = error.what();
  const std::string prefix = "check \"" + check + "\", table " + table + ": ";
  if (what.find("42804") != std::string::npos && !condition_key.empty() &&
      (what.find("IS TRUE") != std::string::npos ||
       what.find("IS NOT TRUE") != std::string::npos)) {
    throw CheckError(ErrorReason::kQuery,
                     prefix + condition_key + " is not a boolean condition (" + what + ")");
  }
  if (what.find("42703") != std::string::npos) {
    const std::string column = MissingColumn(what);
    std::string named;
    for (const SqlKeyText& key : keys) {
      if (key.text == column || ContainsWord(key.text, column)) {
        named = key.key;
        break;
      }
    }
    if (!named.empty()) {
      throw CheckError(ErrorReason::kQuery, prefix + "column \"" + column + "\" of " + named +
                                                " does not exist (" + what + ")");
    }
  }
  throw CheckError(ErrorReason::kQuery, prefix + what);
}

}  // namespace freshness
