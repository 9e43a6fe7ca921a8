#include "util/suggest.h"

#include <algorithm>
#include <cctype>

namespace freshness {
namespace {

std::string Lower(const std::string& text) {
  std::string out = text;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

int EditDistance(const std::string& a_text, const std::string& b_text) {
  const std::string a = Lower(a_text);
  const std::string b = Lower(b_text);
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // Optimal string alignment: three rows are enough for the swap of two neighbours.
  std::vector<int> before(m + 1);
  std::vector<int> previous(m + 1);
  std::vector<int> current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    before.swap(previous);
    previous.swap(current);
  }
  return previous[m];
}

std::vector<std::string> ClosestMatches(const std::string& input,
                                        const std::vector<std::string>& candidates,
                                        int max_distance, std::size_t limit) {
  std::vector<std::pair<int, std::size_t>> scored;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    // Lengths alone rule most candidates out before the quadratic comparison.
    const long long length_gap =
        static_cast<long long>(candidates[i].size()) - static_cast<long long>(input.size());
    if (length_gap > max_distance || -length_gap > max_distance) continue;
    const int distance = EditDistance(input, candidates[i]);
    if (distance <= max_distance && candidates[i] != input) scored.emplace_back(distance, i);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (const auto& [distance, index] : scored) {
    if (out.size() == limit) break;
    if (std::find(out.begin(), out.end(), candidates[index]) == out.end()) {
      out.push_back(candidates[index]);
    }
  }
  return out;
}

std::string DidYouMean(const std::vector<std::string>& matches) {
  if (matches.empty()) return "";
  std::string text = " (did you mean ";
  for (std::size_t i = 0; i < matches.size(); ++i) {
    if (i > 0) text += i + 1 == matches.size() ? " or " : ", ";
    text += "\"" + matches[i] + "\"";
  }
  return text + "?)";
}

std::string DidYouMean(const std::string& input, const std::vector<std::string>& candidates) {
  return DidYouMean(ClosestMatches(input, candidates));
}

}  // namespace freshness
