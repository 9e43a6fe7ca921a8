#include "loader/config_loader.h"

#include "checks/check_registry.h"
#include "config/mapping_reader.h"

namespace freshness {
namespace {

// Reads the file with the registered kinds and builds each check as soon as its common keys are
// read, so that errors come in file order.
template <typename Read>
Config Load(const Read& read) {
  std::vector<std::shared_ptr<Check>> checks;
  ConfigData data =
      read(CheckKindSyntaxes(), [&checks](const CheckDefinition& definition, MappingReader& reader,
                                          const ConfigData& so_far) {
        checks.push_back(MakeCheck(definition.spec, reader, so_far));
      });
  Config config;
  static_cast<ConfigData&>(config) = std::move(data);
  config.checks = std::move(checks);
  // The checks are built from the definitions: any YAML node kept alive keeps the whole parsed
  // document (several KB per check) for as long as the config runs. (Assigning an empty node
  // would not do: yaml-cpp assigns into the node it refers to.)
  config.definitions.clear();
  config.definitions.shrink_to_fit();
  return config;
}

}  // namespace

Config LoadConfigString(const std::string& text, const std::string& file_name,
                        std::optional<TimePoint> now) {
  return Load([&](const std::vector<CheckKindSyntax>& kinds, const CheckVisitor& visit) {
    return ReadConfigString(text, file_name, kinds, now, visit);
  });
}

Config LoadConfigFile(const std::string& path, std::optional<TimePoint> now) {
  return Load([&](const std::vector<CheckKindSyntax>& kinds, const CheckVisitor& visit) {
    return ReadConfigFile(path, kinds, now, visit);
  });
}

std::vector<std::shared_ptr<Check>> BuildChecks(const ConfigData& data) {
  std::vector<std::shared_ptr<Check>> checks;
  for (const CheckDefinition& definition : data.definitions) {
    MappingReader reader(definition.node, data.file, definition.path, definition.defaults);
    for (const std::string& key : CommonCheckKeys()) reader.Raw(key);
    reader.Raw("target");
    checks.push_back(MakeCheck(definition.spec, reader, data));
    reader.RejectUnknownKeys();
  }
  return checks;
}

}  // namespace freshness
