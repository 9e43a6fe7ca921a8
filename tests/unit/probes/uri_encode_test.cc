#include "probes/uri_encode.h"

#include <gtest/gtest.h>

namespace freshness {
namespace {

TEST(UriEncodeTest, KeepsUnreservedCharacters) {
  EXPECT_EQ(UriEncode("a b/c~d_e.f-g+h=", true), "a%20b/c~d_e.f-g%2Bh%3D");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");
}

}  // namespace
}  // namespace freshness
