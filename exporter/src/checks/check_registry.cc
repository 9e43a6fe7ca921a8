#include "checks/check_registry.h"

#include <algorithm>
#include <stdexcept>

namespace freshness {
namespace {

// Filled while the program starts (by static initializers), read-only afterwards.
std::vector<CheckKind>& Registry() {
  static std::vector<CheckKind> kinds;
  return kinds;
}

}  // namespace

bool RegisterCheckKind(CheckKind kind) {
  std::vector<CheckKind>& kinds = Registry();
  if (FindCheckKind(kind.syntax.name) != nullptr) {
    throw std::logic_error("check kind \"" + kind.syntax.name + "\" is registered twice");
  }
  const auto after = std::upper_bound(
      kinds.begin(), kinds.end(), kind.position,
      [](int position, const CheckKind& each) { return position < each.position; });
  kinds.insert(after, std::move(kind));
  return true;
}

const std::vector<CheckKind>& CheckKinds() { return Registry(); }

std::vector<CheckKindSyntax> CheckKindSyntaxes() {
  std::vector<CheckKindSyntax> syntaxes;
  for (const CheckKind& kind : Registry()) syntaxes.push_back(kind.syntax);
  return syntaxes;
}

std::vector<std::string> KnownCheckKinds() {
  std::vector<std::string> names;
  for (const CheckKind& kind : Registry()) names.push_back(kind.syntax.name);
  return names;
}

const CheckKind* FindCheckKind(const std::string& name) {
  for (const CheckKind& kind : Registry()) {
    if (kind.syntax.name == name) return &kind;
  }
  return nullptr;
}

bool KindReadsDatabase(const std::string& kind) {
  const CheckKind* found = FindCheckKind(kind);
  return found != nullptr && found->syntax.reads_database;
}

std::shared_ptr<Check> MakeCheck(CheckSpec spec, MappingReader& reader, const ConfigData& config) {
  const CheckKind* kind = FindCheckKind(spec.kind);
  if (kind == nullptr) reader.Fail("kind", "unknown check kind \"" + spec.kind + "\"");
  return kind->factory(std::move(spec), reader, config);
}

}  // namespace freshness
