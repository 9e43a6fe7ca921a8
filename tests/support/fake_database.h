#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "db/database.h"
#include "util/check_error.h"

namespace freshness::testing {

// A database that answers from a script: each call runs `handler` with the SQL it was given.
class FakeDatabase final : public Database {
 public:
  using Handler = std::function<QueryResult(const std::string& sql)>;

  explicit FakeDatabase(std::string name = "fake") : name_(std::move(name)) {}

  void SetHandler(Handler handler) {
    std::lock_guard<std::mutex> lock(mutex_);
    handler_ = std::move(handler);
  }
  // Every query answers with one result whatever its SQL.
  void Answer(QueryResult result) {
    SetHandler([result](const std::string&) { return result; });
  }
  void Fail(ErrorReason reason, std::string message) {
    SetHandler([reason, message](const std::string&) -> QueryResult {
      throw CheckError(reason, message);
    });
  }

  QueryResult Query(const std::string& sql, Duration budget) override {
    Handler handler;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queries_.push_back(sql);
      last_budget_ = budget;
      handler = handler_;
    }
    try {
      QueryResult result = handler ? handler(sql) : QueryResult{};
      up_ = true;
      return result;
    } catch (const CheckError& error) {
      if (error.reason() == ErrorReason::kConnection) up_ = false;
      throw;
    }
  }
  bool Up() const override { return up_; }
  const std::string& name() const override { return name_; }

  std::vector<std::string> queries() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return queries_;
  }
  std::size_t query_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return queries_.size();
  }
  Duration last_budget() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_budget_;
  }

 private:
  std::string name_;
  mutable std::mutex mutex_;
  Handler handler_;
  std::vector<std::string> queries_;
  Duration last_budget_{0};
  std::atomic<bool> up_{false};
};

}  // namespace freshness::testing
