#pragma once
// Checks Kubernetes objects against the published OpenAPI v3 schemas of the API server, so
// tests can prove that generated manifests only use fields that exist, with the right types,
// without a real cluster. It is stricter than the server in one way only: unknown fields are
// reported (the server drops them with a warning, which would hide a typo in our manifests).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include "support/build_paths.h"

namespace k8sjobs::testing {

class OpenApiValidator {
 public:
  // The api/v1, apis/batch/v1 and apis/apps/v1 specs (plus the enum overlay) from
  // K8SJOBS_TEST_DATA_DIR "/openapi". Compiled once per process; copies share it.
  static OpenApiValidator load_default();

  // OpenAPI v3 documents (each with components.schemas) and an optional enum overlay of the
  // form {"<schema name>": {"<property>": ["value", ...]}}; throws std::runtime_error when a
  // document or a reference in it is malformed.
  static OpenApiValidator from_documents(const std::vector<nlohmann::json>& documents,
                                         const nlohmann::json& enum_overlay = nullptr);

  // All problems found, one line each, starting with the path of the offending value:
  // unknown fields, wrong types, missing required fields, values outside an enum, malformed
  // formats (int32 range, date-time, quantity). Empty means valid. The schema is chosen from
  // apiVersion + kind.
  std::vector<std::string> validate(const nlohmann::json& object) const;

  // Validates against a named schema, e.g. "io.k8s.api.core.v1.PodSpec".
  std::vector<std::string> validate_as(const nlohmann::json& value,
                                       const std::string& schema_name) const;

  // The schema name for an apiVersion and kind ("" when none is known).
  std::string schema_for(const std::string& api_version, const std::string& kind) const;

  struct Registry;  // the compiled schemas; defined in the .cpp

 private:
  explicit OpenApiValidator(std::shared_ptr<const Registry> registry)
      : registry_(std::move(registry)) {}
  std::shared_ptr<const Registry> registry_;
};

}  // namespace k8sjobs::testing
