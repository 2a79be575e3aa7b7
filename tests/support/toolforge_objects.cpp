// SPDX-License-Identifier: Apache-2.0
#include "support/toolforge_objects.h"

#include "support/build_paths.h"
#include "support/temp_dir.h"

namespace k8sjobs::testing {

using nlohmann::json;

namespace {

void set_tool(json& labels, const std::string& tool) {
  if (labels.is_object() && labels.contains("app.kubernetes.io/created-by"))
    labels["app.kubernetes.io/created-by"] = tool;
}

}  // namespace

json toolforge_object(const std::string& name, const std::string& tool,
                      const std::string& namespace_name) {
  json object =
      json::parse(read_file(std::string(K8SJOBS_TEST_DATA_DIR) + "/toolforge/" + name + ".json"));
  object["metadata"]["namespace"] = namespace_name;
  set_tool(object["metadata"]["labels"], tool);
  json& spec = object["kind"] == "CronJob" ? object["spec"]["jobTemplate"]["spec"] : object["spec"];
  set_tool(spec["template"]["metadata"]["labels"], tool);
  if (spec.contains("selector")) set_tool(spec["selector"]["matchLabels"], tool);
  return object;
}

std::vector<json> create_toolforge_jobs(TestApiServer& server, const std::string& tool,
                                        const std::string& namespace_name) {
  const std::string ns = "/namespaces/" + namespace_name;
  std::vector<json> created;
  created.push_back(server.create("/apis/batch/v1" + ns + "/jobs",
                                  toolforge_object("job", tool, namespace_name)));
  created.push_back(server.create("/apis/batch/v1" + ns + "/cronjobs",
                                  toolforge_object("cronjob", tool, namespace_name)));
  created.push_back(server.create("/apis/apps/v1" + ns + "/deployments",
                                  toolforge_object("deployment", tool, namespace_name)));
  return created;
}

}  // namespace k8sjobs::testing
