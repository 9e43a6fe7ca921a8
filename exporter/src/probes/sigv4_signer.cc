#include "probes/sigv4_signer.h"

#include <date/date.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace freshness {
namespace {

std::string Hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0f];
  }
  return out;
}

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string Trim(const std::string& value) {
  const std::size_t first = value.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const std::size_t last = value.find_last_not_of(" \t");
  std::string trimmed = value.substr(first, last - first + 1);
  // Sequential spaces inside a value collapse to one.
  std::string out;
  for (char c : trimmed) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

}  // namespace

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return Hex(digest, length);
}

std::string AmzDate(std::chrono::sys_seconds time) { return date::format("%Y%m%dT%H%M%SZ", time); }

std::string UriEncode(const std::string& text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += c;
    } else {
      out += '%';
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0x0f];
    }
  }
  return out;
}

SigV4Signer::SigV4Signer(std::string region, std::string service)
    : region_(std::move(region)), service_(std::move(service)) {}

std::string SigV4Signer::Scope(std::chrono::sys_seconds time) const {
  return date::format("%Y%m%d", time) + "/" + region_ + "/" + service_ + "/aws4_request";
}

std::string SigV4Signer::CanonicalRequest(const SignableRequest& request) const {
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [name, value] : request.query) {
    query.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(query.begin(), query.end());
  std::string canonical_query;
  for (const auto& [name, value] : query) {
    canonical_query += (canonical_query.empty() ? "" : "&") + name + "=" + value;
  }
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [name, value] : request.headers) {  // std::map: sorted by lower-case name
    canonical_headers += name + ":" + Trim(value) + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  return request.method + "\n" + request.canonical_uri + "\n" + canonical_query + "\n" +
         canonical_headers + "\n" + signed_headers + "\n" + request.payload_sha256_hex;
}

std::string SigV4Signer::StringToSign(const SignableRequest& request,
                                      std::chrono::sys_seconds time) const {
  return "AWS4-HMAC-SHA256\n" + AmzDate(time) + "\n" + Scope(time) + "\n" +
         Sha256Hex(CanonicalRequest(request));
}

std::string SigV4Signer::Authorization(const SignableRequest& request,
                                       const AwsCredentials& credentials,
                                       std::chrono::sys_seconds time) const {
  const std::string date_key =
      HmacSha256("AWS4" + credentials.secret_access_key, date::format("%Y%m%d", time));
  const std::string region_key = HmacSha256(date_key, region_);
  const std::string service_key = HmacSha256(region_key, service_);
  const std::string signing_key = HmacSha256(service_key, "aws4_request");
  const std::string raw_signature = HmacSha256(signing_key, StringToSign(request, time));
  std::string signed_headers;
  for (const auto& entry : request.headers) {
    signed_headers += (signed_headers.empty() ? "" : ";") + entry.first;
  }
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + Scope(time) +
         ", SignedHeaders=" + signed_headers + ", Signature=" +
         Hex(reinterpret_cast<const unsigned char*>(raw_signature.data()), raw_signature.size());
}

}  // namespace freshness
