#pragma once

#include <string>

namespace freshness {

// Removes secrets that may hide in text from libraries or users: password=... in libpq
// connection strings, user:password@ in URLs, AWS secret keys and signatures. Applied to every
// log line, error message, status page and API value.
std::string RedactSecrets(const std::string& text);

}  // namespace freshness
