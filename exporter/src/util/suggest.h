#pragma once

#include <string>
#include <vector>

namespace freshness {

// Edit distance (insertions, deletions, substitutions and swaps of two neighbours), compared
// case-insensitively: "warn_afer" is 1 from "warn_after", "America/New_Yrok" 1 from
// "America/New_York".
int EditDistance(const std::string& a, const std::string& b);

// The candidates within `max_distance` of `input`, closest first (ties in candidate order), at
// most `limit` of them.
std::vector<std::string> ClosestMatches(const std::string& input,
                                        const std::vector<std::string>& candidates,
                                        int max_distance = 2, std::size_t limit = 3);

// " (did you mean \"x\"?)", " (did you mean \"x\" or \"y\"?)", or "" when nothing is close.
std::string DidYouMean(const std::vector<std::string>& matches);
std::string DidYouMean(const std::string& input, const std::vector<std::string>& candidates);

}  // namespace freshness
