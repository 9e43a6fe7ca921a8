#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checks/check.h"
#include "config/check_kinds.h"
#include "config/config.h"
#include "config/mapping_reader.h"
#include "db/database.h"
#include "util/duration.h"

namespace freshness {

// Builds a check of its kind from the kind's own keys in `reader` (the common keys are already
// in `spec`). `config` holds the global section, targets and calendars. Throws ConfigError.
using CheckFactory = std::function<std::shared_ptr<Check>(CheckSpec spec, MappingReader& reader,
                                                          const ConfigData& config)>;

// For the preflight of --check.connect (app/preflight.cc), a kind that reads one table named by
// its `table` key: the keys naming its columns (a time column must be timestamp, timestamptz or
// date), the key of the time column its statement bounds, and the keys whose columns make the
// index the statement wants, in index order.
struct TableColumnKeys {
  struct Column {
    std::string key;
    bool time = false;
  };
  std::vector<Column> columns;
  std::string time_key;
  std::vector<std::string> index_keys;
};

// The statement the preflight plans (EXPLAIN) for a check of the kind, built as the check would
// run it; sets *loose_index when the statement is a loose index scan over that index.
using PreflightStatement = std::function<std::string(Check& check, Database& database,
                                                     Duration budget, std::string* loose_index)>;

// A check kind: its config syntax, its factory, where it is listed, and what the preflight
// checks of it.
struct CheckKind {
  CheckKind(CheckKindSyntax kind_syntax, CheckFactory kind_factory, int kind_position,
            std::optional<TableColumnKeys> kind_table = std::nullopt,
            PreflightStatement kind_statement = nullptr)
      : syntax(std::move(kind_syntax)),
        factory(std::move(kind_factory)),
        position(kind_position),
        table(std::move(kind_table)),
        statement(std::move(kind_statement)) {}

  CheckKindSyntax syntax;
  CheckFactory factory;
  // Where the kind is listed among the others (kind errors, docs): lower first.
  int position = 0;
  // The table the preflight checks; none when the kind reads no table of its own.
  std::optional<TableColumnKeys> table;
  // Null: a custom `sql` key is planned as written, else the preflight skips the kind.
  PreflightStatement statement;
};

// Adds a kind; a second kind of the same name is a programming error (std::logic_error). Kinds
// register themselves with FRESHNESS_REGISTER_CHECK_KIND in their own file.
bool RegisterCheckKind(CheckKind kind);

// The registered kinds, in their positions' order.
const std::vector<CheckKind>& CheckKinds();
// Their syntax, for the config reader.
std::vector<CheckKindSyntax> CheckKindSyntaxes();
// The kinds a config may name, in order.
std::vector<std::string> KnownCheckKinds();
// The kind named `name`, or null.
const CheckKind* FindCheckKind(const std::string& name);
// Whether checks of `kind` read a PostgreSQL target (false for an unknown kind).
bool KindReadsDatabase(const std::string& kind);

// Builds a check of spec.kind with its kind's factory. Throws ConfigError.
std::shared_ptr<Check> MakeCheck(CheckSpec spec, MappingReader& reader, const ConfigData& config);

}  // namespace freshness

#define FRESHNESS_REGISTRY_CONCAT_INNER(a, b) a##b
#define FRESHNESS_REGISTRY_CONCAT(a, b) FRESHNESS_REGISTRY_CONCAT_INNER(a, b)
// Registers a check kind when the program starts: FRESHNESS_REGISTER_CHECK_KIND(LagKind());
// where LagKind() returns its CheckKind. The layer's library is linked whole, so a kind's file
// needs no other reference to be part of the program.
#define FRESHNESS_REGISTER_CHECK_KIND(kind)                                                 \
  namespace {                                                                               \
  [[maybe_unused]] const bool FRESHNESS_REGISTRY_CONCAT(registered_check_kind_, __LINE__) = \
      ::freshness::RegisterCheckKind(kind);                                                 \
  }
