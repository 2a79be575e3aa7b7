#include "support/openapi_validator.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>
#include "support/build_paths.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;
using Lines = std::vector<std::string>;

json read_json(const std::string& relative) {
  std::ifstream in(std::string(K8SJOBS_TEST_DATA_DIR) + "/" + relative);
  if (!in) throw std::runtime_error("cannot read " + relative);
  return json::parse(in);
}

json pod_template() {
  return json::parse(R"({
    "metadata": {"labels": {"toolforge": "tool", "app.kubernetes.io/name": "backup"}},
    "spec": {
      "restartPolicy": "Never",
      "containers": [{
        "name": "job",
        "image": "docker-registry.tools.wmflabs.org/toolforge-bookworm-sssd:latest",
        "imagePullPolicy": "IfNotPresent",
        "command": ["/bin/sh", "-c", "--", "exec 1>>/data/project/alice/backup.out; ./backup"],
        "workingDir": "/data/project/alice",
        "env": [{"name": "HOME", "value": "/data/project/alice"}],
        "resources": {"requests": {"memory": "512Mi", "cpu": "500m"},
                      "limits": {"memory": "512Mi", "cpu": 1}},
        "volumeMounts": [{"name": "home", "mountPath": "/data/project"},
                         {"name": "dumps", "mountPath": "/public/dumps", "readOnly": true}]
      }],
      "volumes": [{"name": "home", "hostPath": {"path": "/data/project", "type": "Directory"}},
                  {"name": "dumps", "hostPath": {"path": "/public/dumps"}}]
    }
  })");
}

json valid_job() {
  json job = {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata", {{"name", "backup"}, {"namespace", "tool-alice"}}},
      {"spec",
       {{"backoffLimit", 0}, {"ttlSecondsAfterFinished", 600}, {"template", pod_template()}}}};
  return job;
}

class OpenApiValidatorTest : public ::testing::Test {
 protected:
  OpenApiValidator validator = OpenApiValidator::load_default();
};

TEST_F(OpenApiValidatorTest, ChoosesSchemaFromApiVersionAndKind) {
  EXPECT_EQ(validator.schema_for("batch/v1", "Job"), "io.k8s.api.batch.v1.Job");
  EXPECT_EQ(validator.schema_for("batch/v1", "CronJob"), "io.k8s.api.batch.v1.CronJob");
  EXPECT_EQ(validator.schema_for("apps/v1", "Deployment"), "io.k8s.api.apps.v1.Deployment");
  EXPECT_EQ(validator.schema_for("v1", "ConfigMap"), "io.k8s.api.core.v1.ConfigMap");
  EXPECT_EQ(validator.schema_for("v1", "Job"), "");
}

TEST_F(OpenApiValidatorTest, ValidJobPasses) {
  EXPECT_EQ(validator.validate(valid_job()), Lines{});
}

TEST_F(OpenApiValidatorTest, ValidCronJobPasses) {
  json cronjob = {
      {"apiVersion", "batch/v1"},
      {"kind", "CronJob"},
      {"metadata",
       {{"name", "cron-0"}, {"labels", {{"jobs.toolforge.org/cron-expression", "@daily"}}}}},
      {"spec",
       {{"schedule", "17 3 * * *"},
        {"concurrencyPolicy", "Forbid"},
        {"startingDeadlineSeconds", 30},
        {"successfulJobsHistoryLimit", 1},
        {"failedJobsHistoryLimit", 1},
        {"jobTemplate", {{"spec", {{"backoffLimit", 0}, {"template", pod_template()}}}}}}}};
  EXPECT_EQ(validator.validate(cronjob), Lines{});
}

TEST_F(OpenApiValidatorTest, ValidDeploymentPasses) {
  json tpl = pod_template();
  tpl["spec"]["restartPolicy"] = "Always";
  tpl["spec"]["terminationGracePeriodSeconds"] = 15;
  json deployment = {{"apiVersion", "apps/v1"},
                     {"kind", "Deployment"},
                     {"metadata", {{"name", "bot"}}},
                     {"spec",
                      {{"replicas", 1},
                       {"selector", {{"matchLabels", {{"app.kubernetes.io/name", "bot"}}}}},
                       {"strategy", {{"type", "Recreate"}}},
                       {"template", tpl}}}};
  EXPECT_EQ(validator.validate(deployment), Lines{});
}

TEST_F(OpenApiValidatorTest, ValidConfigMapPasses) {
  json config_map = {{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata", {{"name", "images"}}},
                     {"data", {{"bookworm", "docker-registry.tools.wmflabs.org/x:latest"}}},
                     {"binaryData", {{"blob", "aGVsbG8="}}}};
  EXPECT_EQ(validator.validate(config_map), Lines{});
}

TEST_F(OpenApiValidatorTest, RecordedServerObjectsValidateClean) {
  for (const char* name : {"job-create-201", "deployment-create-201", "cronjob-create-201"}) {
    json object = read_json(std::string("k8s/responses/") + name + ".json");
    EXPECT_EQ(validator.validate(object), Lines{}) << name;
  }
}

TEST_F(OpenApiValidatorTest, ReportsUnknownFieldWithPathAndSuggestion) {
  json job = valid_job();
  job["spec"]["template"]["spec"]["containerz"] = json::array();
  EXPECT_EQ(validator.validate(job),
            (Lines{"spec.template.spec.containerz: no such field in "
                   "io.k8s.api.core.v1.PodSpec (did you mean \"containers\"?)"}));
  job = valid_job();
  job["spec"]["frobnicate"] = true;
  EXPECT_EQ(validator.validate(job),
            (Lines{"spec.frobnicate: no such field in io.k8s.api.batch.v1.JobSpec"}));
}

TEST_F(OpenApiValidatorTest, ReportsWrongTypes) {
  json job = valid_job();
  job["spec"]["backoffLimit"] = "0";
  job["spec"]["template"]["spec"]["containers"][0]["command"] = "/bin/true";
  job["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][1]["readOnly"] = "yes";
  job["metadata"]["labels"] = {{"app.kubernetes.io/version", 2}};
  EXPECT_EQ(validator.validate(job),
            (Lines{"metadata.labels[\"app.kubernetes.io/version\"]: expected string, got "
                   "integer 2",
                   "spec.backoffLimit: expected integer (int32), got string \"0\"",
                   "spec.template.spec.containers[0].command: expected array, got string "
                   "\"/bin/true\"",
                   "spec.template.spec.containers[0].volumeMounts[1].readOnly: expected "
                   "boolean, got string \"yes\""}));
}

TEST_F(OpenApiValidatorTest, ReportsMissingRequiredFields) {
  json job = valid_job();
  job["spec"]["template"]["spec"]["containers"][0].erase("name");
  job["spec"]["template"]["spec"]["volumes"][0]["hostPath"].erase("path");
  EXPECT_EQ(validator.validate(job),
            (Lines{"spec.template.spec.containers[0].name: required field missing in "
                   "io.k8s.api.core.v1.Container",
                   "spec.template.spec.volumes[0].hostPath.path: required field missing in "
                   "io.k8s.api.core.v1.HostPathVolumeSource"}));
  job = valid_job();
  job["spec"].erase("template");
  EXPECT_EQ(validator.validate(job),
            (Lines{"spec.template: required field missing in io.k8s.api.batch.v1.JobSpec"}));
}

TEST_F(OpenApiValidatorTest, ReportsBadEnumValues) {
  json job = valid_job();
  job["spec"]["template"]["spec"]["restartPolicy"] = "Sometimes";
  job["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "ifNotPresent";
  EXPECT_EQ(validator.validate(job),
            (Lines{"spec.template.spec.containers[0].imagePullPolicy: \"ifNotPresent\" is "
                   "not one of \"Always\", \"Never\", \"IfNotPresent\"",
                   "spec.template.spec.restartPolicy: \"Sometimes\" is not one of "
                   "\"Always\", \"OnFailure\", \"Never\""}));
}

TEST_F(OpenApiValidatorTest, ChecksIntegerFormats) {
  json job = valid_job();
  job["spec"]["backoffLimit"] = 3000000000LL;
  job["spec"]["activeDeadlineSeconds"] = 3000000000LL;  // int64: fine
  job["spec"]["parallelism"] = 1.5;
  EXPECT_EQ(validator.validate(job),
            (Lines{"spec.backoffLimit: 3000000000 is out of range for int32",
                   "spec.parallelism: expected integer (int32), got number 1.5"}));
}

TEST_F(OpenApiValidatorTest, ChecksQuantities) {
  json job = valid_job();
  auto& resources = job["spec"]["template"]["spec"]["containers"][0]["resources"];
  resources["limits"]["memory"] = "4Gi";
  resources["limits"]["cpu"] = 0.5;
  resources["requests"]["ephemeral-storage"] = "1e3";
  EXPECT_EQ(validator.validate(job), Lines{});
  resources["requests"]["memory"] = "512MB";
  resources["limits"]["cpu"] = true;
  EXPECT_EQ(validator.validate(job),
            (Lines{"spec.template.spec.containers[0].resources.limits.cpu: expected string "
                   "or number, got boolean true",
                   "spec.template.spec.containers[0].resources.requests.memory: \"512MB\" "
                   "is not a Kubernetes quantity"}));
}

TEST_F(OpenApiValidatorTest, ChecksIntOrString) {
  json deployment = read_json("k8s/responses/deployment-create-201.json");
  deployment["spec"]["strategy"] = {
      {"type", "RollingUpdate"}, {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", 0}}}};
  EXPECT_EQ(validator.validate(deployment), Lines{});
  deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = false;
  deployment["spec"]["strategy"]["type"] = "Rolling";
  EXPECT_EQ(validator.validate(deployment),
            (Lines{"spec.strategy.rollingUpdate.maxSurge: expected integer or string, got "
                   "boolean false",
                   "spec.strategy.type: \"Rolling\" is not one of \"Recreate\", "
                   "\"RollingUpdate\""}));
}

TEST_F(OpenApiValidatorTest, ChecksDateTimeAndBase64) {
  json config_map = {{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata", {{"name", "x"}, {"creationTimestamp", "yesterday"}}},
                     {"binaryData", {{"blob", "not base64!"}}}};
  EXPECT_EQ(validator.validate(config_map),
            (Lines{"binaryData.blob: \"not base64!\" is not base64",
                   "metadata.creationTimestamp: \"yesterday\" is not an RFC 3339 date-time"}));
  config_map["metadata"]["creationTimestamp"] = "2026-11-23T14:54:37.123+01:00";
  config_map["binaryData"]["blob"] = "aGk=";
  EXPECT_EQ(validator.validate(config_map), Lines{});
}

TEST_F(OpenApiValidatorTest, NullMeansUnsetAndFreeFormObjectsAcceptAnything) {
  json job = valid_job();
  job["metadata"]["creationTimestamp"] = nullptr;
  job["metadata"]["managedFields"] = json::array(
      {{{"manager", "x"}, {"fieldsType", "FieldsV1"}, {"fieldsV1", {{"f:spec", {{"f:a", {}}}}}}}});
  EXPECT_EQ(validator.validate(job), Lines{});
}

TEST_F(OpenApiValidatorTest, RejectsObjectsWithoutKnownKind) {
  EXPECT_EQ(validator.validate(json{{"kind", "Job"}}),
            (Lines{"(root): apiVersion and kind are required"}));
  EXPECT_EQ(validator.validate(json{{"apiVersion", "batch/v2"}, {"kind", "Job"}}),
            (Lines{"(root): no schema for apiVersion batch/v2, kind Job"}));
  EXPECT_EQ(validator.validate(json::array()),
            (Lines{"(root): expected a Kubernetes object, got array"}));
}

TEST(OpenApiValidatorDocuments, HonoursEnumRequiredAndRefsOfAnySpec) {
  json spec = json::parse(R"({"components": {"schemas": {
    "x.Thing": {"type": "object", "required": ["mode"],
                "x-kubernetes-group-version-kind": [{"group": "ex", "version": "v1", "kind": "Thing"}],
                "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                               "mode": {"type": "string", "enum": ["on", "off"]},
                               "child": {"allOf": [{"$ref": "#/components/schemas/x.Thing"}]}}}
  }}})");
  auto validator = OpenApiValidator::from_documents({spec});
  EXPECT_EQ(validator.validate(json::parse(R"({"apiVersion": "ex/v1", "kind": "Thing",
      "mode": "on", "child": {"mode": "off"}})")),
            Lines{});
  EXPECT_EQ(validator.validate(json::parse(R"({"apiVersion": "ex/v1", "kind": "Thing",
      "mode": "dim", "child": {}})")),
            (Lines{"child.mode: required field missing in x.Thing",
                   "mode: \"dim\" is not one of \"on\", \"off\""}));
}

TEST(OpenApiValidatorDocuments, RejectsMalformedSpecsAndOverlays) {
  json dangling = json::parse(
      R"({"components": {"schemas": {"a": {"properties": {"b": {"$ref": "#/components/schemas/zz"}}}}}})");
  EXPECT_THROW(OpenApiValidator::from_documents({dangling}), std::runtime_error);
  json spec = json::parse(
      R"({"components": {"schemas": {"a": {"properties": {"b": {"type": "string"}}}}}})");
  EXPECT_THROW(OpenApiValidator::from_documents({spec}, json{{"a", {{"c", {"x"}}}}}),
               std::runtime_error);
  EXPECT_THROW(OpenApiValidator::from_documents({spec}, json{{"nope", {{"b", {"x"}}}}}),
               std::runtime_error);
}

}  // namespace
}  // namespace k8sjobs::testing
