#include "config/time_zones.h"

#include <algorithm>
#include <cctype>

#include "util/suggest.h"

namespace freshness {
namespace {

std::string Lower(const std::string& text) {
  std::string out = text;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string LastComponent(const std::string& name) {
  const auto slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

const std::vector<std::string>& ZoneNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    try {
      const date::tzdb& database = date::get_tzdb();
      for (const date::time_zone& zone : database.zones) out.push_back(std::string(zone.name()));
#if !USE_OS_TZDB
      for (const date::time_zone_link& link : database.links) {
        out.push_back(std::string(link.name()));
      }
#endif
    } catch (const std::exception&) {
      // No database to suggest from: the lookup error itself still names the zone.
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return names;
}

}  // namespace

std::vector<std::string> SuggestTimeZones(const std::string& name) {
  if (name.empty()) return {};
  std::vector<std::string> out = ClosestMatches(name, ZoneNames(), 2, 3);
  if (out.size() < 3) {
    const std::string wanted = Lower(LastComponent(name));
    for (const std::string& zone : ZoneNames()) {
      if (out.size() == 3) break;
      if (Lower(LastComponent(zone)) == wanted &&
          std::find(out.begin(), out.end(), zone) == out.end() && zone != name) {
        out.push_back(zone);
      }
    }
  }
  return out;
}

const date::time_zone* LocateZoneOrFail(MappingReader& reader, const std::string& key,
                                        const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    reader.FailAt(reader.Raw(key), key,
                  "unknown time zone \"" + name + "\"" + DidYouMean(SuggestTimeZones(name)));
  }
}

}  // namespace freshness
