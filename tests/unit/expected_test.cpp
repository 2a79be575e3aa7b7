#include "k8sjobs/expected.h"

#include <gtest/gtest.h>

#include <string>

#include "k8sjobs/kube/error.h"

namespace k8sjobs {
namespace {

TEST(Expected, HoldsValueOrError) {
  Expected<int, std::string> good = 42;
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 42);
  Expected<int, std::string> bad = unexpected(std::string("broken"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "broken");
}

TEST(KubeError, DescribesEachKindWithoutGuessing) {
  kube::Error transport =
      kube::TransportError{kube::TransportFailure::ConnectionRefused, "127.0.0.1:1"};
  EXPECT_EQ(transport.describe(),
            "cannot reach the Kubernetes API server: connection refused (127.0.0.1:1)");
  kube::ApiStatus status;
  status.code = 404;
  status.reason = kube::StatusReason::NotFound;
  status.message = "jobs.batch \"x\" not found";
  kube::Error api = status;
  EXPECT_TRUE(api.is(kube::StatusReason::NotFound));
  EXPECT_EQ(api.describe(), "jobs.batch \"x\" not found");
  status.message.clear();
  status.reason_text = "NotFound";
  EXPECT_EQ(kube::Error(status).describe(), "the Kubernetes API server answered HTTP 404 NotFound");
}

}  // namespace
}  // namespace k8sjobs
