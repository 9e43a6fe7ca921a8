#include "app/preflight.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <set>

#include "app/exporter_app.h"
#include "checks/check_registry.h"
#include "checks/lag_check.h"
#include "checks/runs_check.h"
#include "config/mapping_reader.h"
#include "db/postgres_database.h"
#include "db/table_catalog.h"
#include "util/check_error.h"
#include "util/suggest.h"

namespace freshness {
namespace {

constexpr Duration kMinimumBudget{10'000};

enum class Status { kOk, kSkip, kWarn, kFail };

// The value nodes of one check's keys: its own, else those of defaults.<kind>.
class CheckNodes {
 public:
  CheckNodes(const YAML::Node& root, const Check& check) {
    const YAML::Node checks = root["checks"];
    if (checks && checks.IsSequence()) {
      for (const YAML::Node& each : checks) {
        if (each.IsMap() && each["name"] && each["name"].IsScalar() &&
            each["name"].Scalar() == check.spec().name) {
          own_ = each;
          break;
        }
      }
    }
    const YAML::Node defaults = root["defaults"];
    if (defaults && defaults.IsMap() && defaults[check.spec().kind]) {
      defaults_ = defaults[check.spec().kind];
    }
  }

  YAML::Node Find(const std::string& key) const {
    if (own_ && own_.IsMap() && own_[key]) return own_[key];
    if (defaults_ && defaults_.IsMap() && defaults_[key]) return defaults_[key];
    return YAML::Node();
  }
  std::optional<std::string> Text(const std::string& key) const {
    const YAML::Node node = Find(key);
    if (!node || !node.IsScalar()) return std::nullopt;
    return node.Scalar();
  }
  // A string or a list of strings, with the node of each.
  std::vector<std::pair<std::string, YAML::Node>> List(const std::string& key) const {
    std::vector<std::pair<std::string, YAML::Node>> out;
    const YAML::Node node = Find(key);
    if (!node) return out;
    if (node.IsScalar()) out.emplace_back(node.Scalar(), node);
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) {
        if (item.IsScalar()) out.emplace_back(item.Scalar(), item);
      }
    }
    return out;
  }
  const YAML::Node& own() const { return own_; }

 private:
  YAML::Node own_;
  YAML::Node defaults_;
};

struct Finding {
  Status status = Status::kOk;
  std::string key;
  YAML::Node node;
  std::string text;  // the problem, or what is fine
  std::string fix;
};

struct ColumnUse {
  std::string key;
  std::string column;
  YAML::Node node;
  bool time = false;
};

// What a check reads: one table, its columns, and the index its time bound wants.
struct TableUse {
  std::string table;
  YAML::Node table_node;
  std::vector<ColumnUse> columns;
  std::string time_key;                    // the key naming the time column
  std::vector<std::string> index_columns;  // the index that makes the statement cheap
};

struct PlanNode {
  std::string type;
  std::string index;     // without schema
  std::string relation;  // without schema
};

// A string member of an EXPLAIN node, "" when absent.
std::string Field(const nlohmann::json& node, const char* key) {
  const auto found = node.find(key);
  if (found == node.end() || !found->is_string()) return "";
  return found->get_ref<const std::string&>();
}

std::vector<PlanNode> Explain(Database& database, const std::string& sql, Duration budget) {
  const QueryResult result = database.Query("EXPLAIN (FORMAT JSON) " + sql, budget);
  std::vector<PlanNode> nodes;
  if (result.rows.size() != 1 || result.rows[0].size() != 1 || !result.rows[0][0]) return nodes;
  const nlohmann::json plan = nlohmann::json::parse(*result.rows[0][0], nullptr, false);
  if (!plan.is_array() || plan.empty() || !plan[0].contains("Plan")) return nodes;
  std::vector<nlohmann::json> stack = {plan[0]["Plan"]};
  while (!stack.empty()) {
    const nlohmann::json node = std::move(stack.back());
    stack.pop_back();
    nodes.push_back(PlanNode{Field(node, "Node Type"), Field(node, "Index Name"),
                             Field(node, "Relation Name")});
    if (node.contains("Plans") && node["Plans"].is_array()) {
      for (const nlohmann::json& child : node["Plans"]) stack.push_back(child);
    }
  }
  return nodes;
}

std::string Unqualified(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

std::string JoinColumns(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& column : columns) out += (out.empty() ? "" : ", ") + column;
  return out;
}

// The message of a CheckError without the "target "x": " prefix the database puts first.
std::string ErrorText(const std::string& message, const std::string& target) {
  const std::string prefix = "target \"" + target + "\": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

class Preflight {
 public:
  Preflight(const Config& config, const YAML::Node& root, std::ostream& out)
      : config_(config), root_(root), out_(out) {}

  int Run() {
    std::map<std::string, std::shared_ptr<Database>> databases;
    std::map<std::string, std::string> target_errors;
    for (const auto& [name, target] : config_.targets) {
      try {
        (void)ResolveDsn(target);
      } catch (const CheckError& error) {
        const std::string key = target.dsn_env.empty() ? "dsn_file" : "dsn_env";
        const std::string fix =
            target.dsn_env.empty()
                ? "create the file " + target.dsn_file + " holding the DSN (a mounted secret)"
                : "export " + target.dsn_env +
                      "='host=... dbname=... user=...' (from a secret in Kubernetes)";
        TargetLine(name, target, key, ErrorText(error.what(), name), fix);
        target_errors[name] = error.what();
        continue;
      }
      std::shared_ptr<Database> database = OpenDatabase(target);
      try {
        database->Query("SELECT 1", kMinimumBudget);
      } catch (const CheckError& error) {
        TargetLine(name, target, target.dsn_env.empty() ? "dsn_file" : "dsn_env",
                   ErrorText(error.what(), name),
                   "check the host, port, user and password in the DSN, and that the server "
                   "accepts this client (pg_hba.conf)");
        target_errors[name] = ErrorText(error.what(), name);
        continue;
      }
      databases[name] = std::move(database);
    }
    for (const std::shared_ptr<Check>& check : config_.checks) {
      const CheckSpec& spec = check->spec();
      if (spec.target.empty()) continue;  // artifact checks read no database
      const CheckNodes nodes(root_, *check);
      if (target_errors.count(spec.target) != 0) {
        Print(spec.name,
              {Status::kFail, "target", nodes.Find("target"),
               "target " + spec.target + " is not usable (above)", "fix the target first"});
        continue;
      }
      Database& database = *databases.at(spec.target);
      Finding finding;
      try {
        finding = CheckOne(*check, nodes, database);
      } catch (const CheckError& error) {
        finding = Finding{Status::kFail, "target", nodes.Find("target"),
                          ErrorText(error.what(), spec.target), "see the message"};
        if (error.reason() == ErrorReason::kConnection) target_failed_ = true;
      }
      Print(spec.name, finding);
    }
    if (target_failed_ || !target_errors.empty()) return kPreflightTargetFailed;
    return check_failed_ ? kPreflightCheckFailed : kPreflightOk;
  }

 private:
  void TargetLine(const std::string& name, const TargetConfig& target, const std::string& key,
                  const std::string& problem, const std::string& fix) {
    YAML::Node node;
    const YAML::Node targets = root_["targets"];
    if (targets && targets.IsMap() && targets[name] && targets[name].IsMap()) {
      node = targets[name][key];
    }
    const SourceMark mark = node ? ToSourceMark(config_.file, node.Mark()) : target.mark;
    out_ << "FAIL target " << name << " (" << mark.file << ":" << mark.line << ":" << mark.column
         << ", key " << key << "): " << problem << "; fix: " << fix << "\n";
  }

  void Print(const std::string& name, const Finding& finding) {
    if (finding.status == Status::kOk || finding.status == Status::kSkip) {
      out_ << (finding.status == Status::kOk ? "OK  " : "SKIP") << " check " << name << ": "
           << finding.text << "\n";
      return;
    }
    if (finding.status == Status::kFail) check_failed_ = true;
    std::string position;
    if (finding.node) {
      const SourceMark mark = ToSourceMark(config_.file, finding.node.Mark());
      position =
          mark.file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ", ";
    }
    out_ << (finding.status == Status::kFail ? "FAIL" : "WARN") << " check " << name << " ("
         << position << "key " << finding.key << "): " << finding.text << "; fix: " << finding.fix
         << "\n";
  }

  Duration Budget(const Check& check) const {
    return std::max(check.spec().timeout, kMinimumBudget);
  }

  std::optional<TableUse> TableUseOf(const Check& check, const CheckNodes& nodes) const {
    const CheckKind* kind = FindCheckKind(check.spec().kind);
    TableUse use;
    const std::optional<std::string> table = nodes.Text("table");
    if (!table || nodes.Text("sql")) return std::nullopt;
    if (kind == nullptr || !kind->table) return std::nullopt;
    use.table = *table;
    use.table_node = nodes.Find("table");
    for (const TableColumnKeys::Column& key : kind->table->columns) {
      for (const auto& [column, node] : nodes.List(key.key)) {
        use.columns.push_back(ColumnUse{key.key, column, node, key.time});
      }
    }
    use.time_key = kind->table->time_key;
    for (const std::string& key : kind->table->index_keys) {
      for (const auto& [column, node] : nodes.List(key)) use.index_columns.push_back(column);
    }
    if (use.index_columns.empty()) use.index_columns.push_back("");  // IndexFinding reads back()
    return use;
  }

  // The statement the check runs; empty for a kind preflight does not know.
  std::string StatementOf(Check& check, const CheckNodes& nodes, Database& database,
                          LagCheck::Plan* lag_plan) {
    const CheckKind* kind = FindCheckKind(check.spec().kind);
    if (kind != nullptr && kind->statement) {
      std::string sql = kind->statement(check, database, Budget(check), &lag_plan->index);
      // A lag check's plan is cached: this reads the same decision, with its reasons.
      if (auto* lag = dynamic_cast<LagCheck*>(&check))
        *lag_plan = lag->PlanFor(database, Budget(check));
      return sql;
    }
    if (nodes.Text("sql")) return *nodes.Text("sql");
    return "";
  }

  Finding CheckOne(Check& check, const CheckNodes& nodes, Database& database) {
    const std::optional<TableUse> use = TableUseOf(check, nodes);
    if (use) {
      if (std::optional<Finding> problem = CheckTable(*use, database, Budget(check))) {
        return *problem;
      }
    }
    LagCheck::Plan lag_plan;
    const std::string sql = StatementOf(check, nodes, database, &lag_plan);
    if (sql.empty()) {
      return Finding{Status::kSkip,
                     "",
                     {},
                     "kind " + check.spec().kind + ": not checked by this version's preflight",
                     ""};
    }
    std::vector<PlanNode> plan;
    try {
      plan = Explain(database, sql, Budget(check));
    } catch (const CheckError& error) {
      if (error.reason() == ErrorReason::kConnection) throw;
      const std::string key = nodes.Text("sql") ? "sql" : (nodes.Text("where") ? "where" : "table");
      return Finding{Status::kFail, key, nodes.Find(key),
                     "the statement does not plan: " + ErrorText(error.what(), check.spec().target),
                     key == "sql" ? "correct the SQL" : "correct " + key};
    }
    // failed_when goes into a statement of its own: a condition that is not boolean, or names
    // a column the table lacks, fails here rather than at the first collection.
    if (const auto* runs = dynamic_cast<const RunsCheck*>(&check); runs && runs->ledger()) {
      try {
        Explain(database, runs->ledger()->sql, Budget(check));
      } catch (const CheckError& error) {
        if (error.reason() == ErrorReason::kConnection) throw;
        return Finding{Status::kFail, "failed_when", nodes.Find("failed_when"),
                       "the failed_when statement does not plan: " +
                           ErrorText(error.what(), check.spec().target),
                       "make failed_when a boolean condition on the columns of " +
                           (use ? use->table : std::string("the table"))};
      }
    }
    if (!use) {
      std::set<std::string> indexes;
      for (const PlanNode& node : plan) {
        if (!node.index.empty()) indexes.insert(node.index);
      }
      std::string text = "custom sql plans";
      text += indexes.empty()
                  ? ", no index in its plan"
                  : ", indexes in its plan: " +
                        JoinColumns(std::vector<std::string>(indexes.begin(), indexes.end()));
      return Finding{Status::kOk, "", {}, text, ""};
    }
    return IndexFinding(check, nodes, *use, plan, lag_plan, sql, database);
  }

  std::optional<Finding> CheckTable(const TableUse& use, Database& database, Duration budget) {
    const TableInfo table = LookupTable(database, use.table, budget);
    if (!table.found) {
      return Finding{Status::kFail, "table", use.table_node,
                     "table " + use.table + " does not exist" +
                         (use.table.find('.') == std::string::npos
                              ? " in the search_path of role " + table.role
                              : ""),
                     "correct the name (schema.table), or create the table"};
    }
    const std::string name = table.QualifiedName();
    if (!table.schema_usage) {
      return Finding{Status::kFail, "table", use.table_node,
                     "role " + table.role + " has no USAGE on schema " + table.schema,
                     "GRANT USAGE ON SCHEMA " + table.schema + " TO " + table.role};
    }
    std::vector<std::string> names;
    for (const ColumnInfo& column : table.columns) names.push_back(column.name);
    for (const ColumnUse& column : use.columns) {
      const ColumnInfo* info = table.Column(column.column);
      if (info == nullptr) {
        std::vector<std::string> candidates;
        for (const ColumnInfo& each : table.columns) {
          if (!column.time || IsTimeType(each.type)) candidates.push_back(each.name);
        }
        const std::vector<std::string> close = ClosestMatches(column.column, candidates);
        std::string fix = "did you mean \"" + (close.empty() ? "" : close[0]) + "\"?";
        if (close.empty()) {
          fix = candidates.empty()
                    ? std::string("the table has no ") + (column.time ? "time column" : "column")
                    : std::string("name one of its ") + (column.time ? "time columns" : "columns") +
                          ": " + JoinColumns(candidates);
        }
        return Finding{Status::kFail, column.key, column.node,
                       "column \"" + column.column + "\" does not exist in " + name, fix};
      }
      if (column.time && !IsTimeType(info->type)) {
        return Finding{Status::kFail, column.key, column.node,
                       "column \"" + column.column + "\" of " + name + " is " + info->type +
                           ", not timestamp, timestamptz or date",
                       "name a time column, or cast in a view over " + name};
      }
    }
    if (!table.table_select) {
      for (const ColumnUse& column : use.columns) {
        if (!table.Column(column.column)->can_select) {
          return Finding{
              Status::kFail, "table", use.table_node,
              "role " + table.role + " cannot SELECT " + name + " (column " + column.column + ")",
              "GRANT SELECT ON " + name + " TO " + table.role};
        }
      }
    }
    tables_[use.table] = table;
    return std::nullopt;
  }

  Finding IndexFinding(Check& check, const CheckNodes& nodes, const TableUse& use,
                       const std::vector<PlanNode>& plan, const LagCheck::Plan& lag_plan,
                       const std::string& sql, Database& database) {
    const std::string& loose_index = lag_plan.index;
    const TableInfo& table = tables_.at(use.table);
    const std::string name = table.QualifiedName();
    const bool grouped = use.index_columns.size() > 1;
    const std::string create =
        "CREATE INDEX ON " + name + " (" + JoinColumns(use.index_columns) + ")";
    const std::string time_column = use.index_columns.back();
    if (grouped) {
      if (loose_index.empty()) {
        return Finding{Status::kWarn, "group_by", nodes.Find("group_by"),
                       "no index on (" + JoinColumns(use.index_columns) +
                           ") for a loose index scan: every collection reads the whole table",
                       create};
      }
      const QueryResult groups = database.Query(sql, Budget(check));
      if (lag_plan.small_table) {
        // The index is there; the table is small for its groups, so GROUP BY reads it whole for
        // now, and the loose scan takes over when the statistics say it grew.
        return Finding{Status::kOk,
                       "",
                       {},
                       "index " + loose_index + " (table small for now: about " +
                           std::to_string(static_cast<long long>(lag_plan.estimated_rows)) +
                           " rows in " + std::to_string(groups.rows.size()) +
                           " groups, read whole with GROUP BY; the loose index scan takes over "
                           "from " +
                           std::to_string(static_cast<int>(LagCheck::kLooseMinRowsPerGroup)) +
                           " rows per group)",
                       ""};
      }
      std::string text = "index " + loose_index + " (loose index scan over " +
                         std::to_string(groups.rows.size()) + " groups";
      const auto* lag = dynamic_cast<const LagCheck*>(&check);
      if (lag != nullptr && static_cast<int>(groups.rows.size()) >= lag->settings().max_series) {
        text += ", capped by max_series";
      }
      return Finding{Status::kOk, "", {}, text + ")", ""};
    }
    // The index the plan uses on this table, if any.
    for (const PlanNode& node : plan) {
      if (node.index.empty()) continue;
      for (const IndexInfo& index : table.indexes) {
        if (Unqualified(index.name) == node.index && !index.columns.empty() &&
            index.columns[0] == time_column) {
          return Finding{Status::kOk, "", {}, "index " + index.name + " (" + node.type + ")", ""};
        }
      }
    }
    if (const std::optional<std::string> index = FindLeadingIndex(table, time_column)) {
      return Finding{Status::kOk,
                     "",
                     {},
                     "index " + *index +
                         " (not in today's plan: the planner reads the "
                         "table sequentially while it is small)",
                     ""};
    }
    return Finding{Status::kWarn, use.time_key, nodes.Find(use.time_key),
                   "no index: every collection reads the whole of " + name, create};
  }

  const Config& config_;
  const YAML::Node& root_;
  std::ostream& out_;
  std::map<std::string, TableInfo> tables_;
  bool check_failed_ = false;
  bool target_failed_ = false;
};

}  // namespace

int RunPreflight(const Config& config, const std::string& yaml_text, std::ostream& out) {
  const YAML::Node root = YAML::Load(yaml_text);
  Preflight preflight(config, root, out);
  return preflight.Run();
}

}  // namespace freshness
