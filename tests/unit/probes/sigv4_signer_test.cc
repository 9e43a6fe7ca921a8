#include "probes/sigv4_signer.h"

#include <date/date.h>
#include <gtest/gtest.h>

namespace freshness {
namespace {

// The "GET Object" example of the S3 Signature Version 4 documentation.
TEST(SigV4SignerTest, MatchesThePublishedGetObjectExample) {
  const auto time = std::chrono::sys_seconds(date::sys_days(date::year{2013} / 5 / 24));
  SignableRequest request;
  request.method = "GET";
  request.canonical_uri = "/test.txt";
  request.payload_sha256_hex = Sha256Hex("");
  request.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                     {"range", "bytes=0-9"},
                     {"x-amz-content-sha256", request.payload_sha256_hex},
                     {"x-amz-date", AmzDate(time)}};
  const SigV4Signer signer("us-east-1", "s3");
  EXPECT_EQ(request.payload_sha256_hex,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(signer.StringToSign(request, time),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  const AwsCredentials credentials{"AKIAIOSFODNN7EXAMPLE",
                                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(signer.Authorization(request, credentials, time),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4SignerTest, CanonicalQueryIsSortedAndEncoded) {
  SignableRequest request;
  request.method = "GET";
  request.canonical_uri = "/";
  request.query = {{"prefix", "J son"}, {"max-keys", "2"}};
  request.headers = {{"host", "h"}};
  request.payload_sha256_hex = "x";
  const std::string canonical = SigV4Signer("r", "s3").CanonicalRequest(request);
  EXPECT_EQ(canonical, "GET\n/\nmax-keys=2&prefix=J%20son\nhost:h\n\nhost\nx");
}

TEST(SigV4SignerTest, UriEncodeKeepsUnreservedCharacters) {
  EXPECT_EQ(UriEncode("a b/c~d_e.f-g+h=", true), "a%20b/c~d_e.f-g%2Bh%3D");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");
}

}  // namespace
}  // namespace freshness
