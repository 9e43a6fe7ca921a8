#pragma once

#include <map>
#include <string>

namespace freshness {

// Label name -> value, sorted by name as the exposition writes them.
using Labels = std::map<std::string, std::string>;

}  // namespace freshness
