#include "k8sjobs/kube/status.h"

#include <gtest/gtest.h>

#include "support/build_paths.h"
#include "support/temp_dir.h"

namespace k8sjobs::kube {
namespace {

HttpResponse recorded(int status, const std::string& file) {
  return HttpResponse{
      status,
      testing::read_file(std::string(K8SJOBS_TEST_DATA_DIR) + "/k8s/responses/" + file),
      {}};
}

TEST(StatusFromResponse, NotFoundFromARealServer) {
  ApiStatus status = status_from_response(recorded(404, "job-get-missing-404.json"));
  EXPECT_EQ(status.code, 404);
  EXPECT_EQ(status.reason, StatusReason::NotFound);
  EXPECT_EQ(status.message, "jobs.batch \"does-not-exist\" not found");
  EXPECT_EQ(status.details_kind, "jobs");
}

TEST(StatusFromResponse, InvalidKeepsEveryCause) {
  ApiStatus status = status_from_response(recorded(422, "job-create-invalid-422.json"));
  EXPECT_EQ(status.reason, StatusReason::Invalid);
  EXPECT_EQ(status.details_kind, "Job");
  EXPECT_EQ(status.details_name, "Bad_Name");
  ASSERT_EQ(status.causes.size(), 4u);
  EXPECT_EQ(status.causes[0].field, "metadata.name");
  EXPECT_EQ(status.causes[0].reason, "FieldValueInvalid");
  EXPECT_EQ(status.causes[3].field, "spec.template.spec.restartPolicy");
  EXPECT_EQ(status.causes[3].message, "Required value: valid values: \"OnFailure\", \"Never\"");
}

TEST(StatusFromResponse, ConflictForbiddenUnauthorizedAndMediaType) {
  EXPECT_EQ(status_from_response(recorded(409, "job-create-conflict-409.json")).reason,
            StatusReason::AlreadyExists);
  ApiStatus forbidden =
      status_from_response(recorded(403, "forbidden-alice-create-in-tool-bob-403.json"));
  EXPECT_EQ(forbidden.reason, StatusReason::Forbidden);
  EXPECT_NE(forbidden.message.find("cannot create resource \"jobs\""), std::string::npos);
  ApiStatus unauthorized = status_from_response(recorded(401, "unauthorized-bad-token-401.json"));
  EXPECT_EQ(unauthorized.reason, StatusReason::Unauthorized);
  EXPECT_EQ(unauthorized.message, "Unauthorized");
  EXPECT_TRUE(unauthorized.details_kind.empty());
  EXPECT_EQ(status_from_response(recorded(415, "job-patch-wrong-content-type-415.json")).reason,
            StatusReason::UnsupportedMediaType);
  EXPECT_EQ(status_from_response(recorded(410, "jobs-list-old-continue-410.json")).reason,
            StatusReason::Gone);
}

TEST(StatusFromResponse, RetryAfterFromHeaderOrDetails) {
  HttpResponse throttled{
      429,
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":3},"code":429})",
      {}};
  EXPECT_EQ(status_from_response(throttled).retry_after_seconds, 3);
  HttpResponse header_only{503, "", {{"retry-after", "7"}}};
  ApiStatus unavailable = status_from_response(header_only);
  EXPECT_EQ(unavailable.reason, StatusReason::ServiceUnavailable);
  EXPECT_EQ(unavailable.retry_after_seconds, 7);
}

TEST(StatusFromResponse, NonStatusBodyFallsBackOnTheHttpCode) {
  ApiStatus status = status_from_response(HttpResponse{502, "Bad Gateway\n<html>", {}});
  EXPECT_EQ(status.reason, StatusReason::Unknown);
  EXPECT_EQ(status.message, "Bad Gateway");
  EXPECT_EQ(status_from_response(HttpResponse{500, "", {}}).reason, StatusReason::InternalError);
}

}  // namespace
}  // namespace k8sjobs::kube
