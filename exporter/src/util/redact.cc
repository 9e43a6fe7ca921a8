#include "util/redact.h"

#include <regex>

namespace freshness {

std::string RedactSecrets(const std::string& text) {
  // Cheap pre-check: most messages hold nothing to redact, and regexes are slow.
  if (text.find('=') == std::string::npos && text.find('@') == std::string::npos &&
      text.find(':') == std::string::npos) {
    return text;
  }
  static const std::regex kKeyValue(
      R"(((?:password|passwd|pwd|secret|secret_access_key|aws_secret_access_key|sslpassword|Signature|X-Amz-Signature|X-Amz-Credential|token)\s*[=:]\s*)('(?:[^'\\]|\\.)*'|"[^"]*"|[^\s,;&'"]+))",
      std::regex::icase);
  static const std::regex kUrlCredentials(R"((://[^/:@\s]*:)[^@\s/]+@)");
  std::string out = std::regex_replace(text, kKeyValue, "$1<redacted>");
  out = std::regex_replace(out, kUrlCredentials, "$1<redacted>@");
  return out;
}

}  // namespace freshness
