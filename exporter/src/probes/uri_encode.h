#pragma once

#include <string>

namespace freshness {

// RFC 3986 percent-encoding of everything but the unreserved characters (and '/' when kept), as
// S3 wants object keys in a path. curl_easy_escape cannot keep '/'.
std::string UriEncode(const std::string& text, bool keep_slash);

}  // namespace freshness
