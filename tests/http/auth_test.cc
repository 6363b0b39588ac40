// DevOps authentication (REF §1.6) and the base64 decoding under it.
#include "src/http/auth.h"

#include <gtest/gtest.h>

namespace connectivity::http {
namespace {

HttpRequest WithAuthorization(const std::string& value) {
  HttpRequest request;
  request.headers["authorization"] = value;
  return request;
}

TEST(Base64Test, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(DecodeBase64("ZGV2b3BzOmZvb2Jhcg=="), "devops:foobar");
  EXPECT_EQ(DecodeBase64("ZGV2b3BzOmZvb2Jhcg"), "devops:foobar");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_EQ(DecodeBase64("YQ=="), "a");
}

TEST(Base64Test, RejectsInvalidInput) {
  EXPECT_FALSE(DecodeBase64("ZGV2*3Bz"));
  EXPECT_FALSE(DecodeBase64("Z"));
  EXPECT_FALSE(DecodeBase64("ZG V2"));
}

TEST(AuthTest, AcceptsDevopsWithItsPassword) {
  EXPECT_FALSE(Authenticate(DevOpsAuth{}, WithAuthorization("Basic ZGV2b3BzOmZvb2Jhcg==")));
  DevOpsAuth custom{true, "p:w"};  // a colon inside the password is allowed
  EXPECT_FALSE(Authenticate(custom, WithAuthorization("Basic ZGV2b3BzOnA6dw==")));
}

TEST(AuthTest, RefusesWithDittosAnswer) {
  const std::optional<HttpAnswer> missing = Authenticate(DevOpsAuth{}, HttpRequest{});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->body, "The resource requires authentication, which was not supplied with the request");
  ASSERT_EQ(missing->headers.size(), 1u);
  EXPECT_EQ(missing->headers[0].second, "Basic realm=\"DITTO-DEVOPS\",charset=UTF-8");
  for (const char* value : {"Basic ZGV2b3BzOndyb25n",        // devops:wrong
                            "Basic YWRtaW46Zm9vYmFy",         // admin:foobar
                            "Basic ZGV2b3Bz",                 // no colon
                            "Basic !!!", "Bearer abc", "Basic"}) {
    const std::optional<HttpAnswer> refused = Authenticate(DevOpsAuth{}, WithAuthorization(value));
    ASSERT_TRUE(refused) << value;
    EXPECT_EQ(refused->status, 401) << value;
    EXPECT_EQ(refused->body, "The supplied authentication is invalid") << value;
  }
}

TEST(AuthTest, UnsecuredAcceptsAnything) {
  EXPECT_FALSE(Authenticate(DevOpsAuth{false, "x"}, HttpRequest{}));
}

}  // namespace
}  // namespace connectivity::http
