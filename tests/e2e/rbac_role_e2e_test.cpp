// The Role shipped for admins (docs/examples/role.yaml) is exactly what the commands need: a
// user bound only to it can run jsub, jstart, qcronsub, qstat, qdel, qhold, qrls, job, jstop,
// qacct and k8sjobs-migrate apply through their whole life cycle (and qstat and qdel over the
// Toolforge jobs framework's jobs in the same namespace), and taking away any single verb of any
// rule makes one of them fail. The test API server enforces the Role's rules as kube-apiserver's
// RBAC authorizer does.

#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>
#include <cctype>

#include <chrono>
#include <fstream>
#include <future>
#include <iostream>
#include <set>
#include <sstream>

#include "support/build_paths.h"
#include "support/cluster_fixture.h"
#include "support/tool_alice.h"
#include "support/toolforge_objects.h"
#include "support/wait.h"

namespace k8sjobs::testing {
namespace {

using nlohmann::json;

json to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    json out = json::object();
    for (const auto& item : node) out[item.first.as<std::string>()] = to_json(item.second);
    return out;
  }
  if (node.IsSequence()) {
    json out = json::array();
    for (const auto& item : node) out.push_back(to_json(item));
    return out;
  }
  if (node.IsNull()) return nullptr;
  return node.as<std::string>();
}

std::string role_path() {
  return std::string(K8SJOBS_TEST_DATA_DIR) + "/../../docs/examples/role.yaml";
}

// The Role document of the shipped file (which also holds the RoleBinding).
json shipped_role() {
  for (const auto& document : YAML::LoadAllFromFile(role_path())) {
    json object = to_json(document);
    if (object.value("kind", "") == "Role") return object;
  }
  throw std::runtime_error(role_path() + " has no Role");
}

std::string describe(const CommandOutput& output) {
  return "exit " + std::to_string(output.exit_code) + "\nstdout: " + output.out +
         "\nstderr: " + output.err;
}

// Every command through its life cycle, as a user would. Returns "" when everything did what it
// should, else which step failed and how.
class Scenario {
 public:
  explicit Scenario(const json* role) {
    if (role != nullptr) cluster_.server().bind_role("tools.alice", *role);
  }

  std::string run() {
    std::string failure;
    for (auto step : {&Scenario::submit_and_inspect, &Scenario::hold_release_delete,
                      &Scenario::force_delete_running, &Scenario::once_and_quota, &Scenario::sync,
                      &Scenario::continuous, &Scenario::migrate_apply, &Scenario::toolforge_jobs,
                      &Scenario::accounting}) {
      failure = (this->*step)();
      if (!failure.empty()) return failure;
    }
    return "";
  }

  TestApiServer& server() { return cluster_.server(); }

 private:
  CommandOutput run(const std::string& command, std::vector<std::string> args) {
    return cluster_.run(command, std::move(args));
  }

  std::string expect(const std::string& step, const CommandOutput& output, int exit_code,
                     const std::string& out_contains = "") {
    if (output.exit_code == exit_code && output.out.find(out_contains) != std::string::npos)
      return "";
    return step + ": expected exit " + std::to_string(exit_code) +
           (out_contains.empty() ? "" : " and \"" + out_contains + "\"") + "; got " +
           describe(output);
  }

  // jsub, qstat, qstat -j, job.
  std::string submit_and_inspect() {
    auto submitted = run("jsub/jsub", {"-stderr", "-N", "first", "sleep", "600"});
    if (auto f = expect("jsub", submitted, 0, "has been submitted"); !f.empty()) return f;
    first_ = submitted_job_id(submitted.out);
    const std::string id = std::to_string(first_);
    if (auto f = expect("qstat", run("qstat/qstat", {}), 0, " first "); !f.empty()) return f;
    if (auto f = expect("qstat -j", run("qstat/qstat", {"-j", id}), 0, "job_number:"); !f.empty())
      return f;
    if (auto f = expect("job", run("qstat/job", {"first"}), 2, id); !f.empty()) return f;
    return "";
  }

  // qhold, qrls, qdel of a pending job.
  std::string hold_release_delete() {
    const std::string id = std::to_string(first_);
    if (auto f = expect("qhold", run("qdel/qhold", {id}), 0, "modified hold of job " + id);
        !f.empty())
      return f;
    if (auto f = expect("qrls", run("qdel/qrls", {"first"}), 0, "modified hold of job " + id);
        !f.empty())
      return f;
    return expect("qdel", run("qdel/qdel", {id}), 0, "has deleted job " + id);
  }

  // qdel -f of a running job also removes its pods at once.
  std::string force_delete_running() {
    auto submitted = run("jsub/jsub", {"-stderr", "-N", "forced", "sleep", "600"});
    if (auto f = expect("jsub", submitted, 0); !f.empty()) return f;
    long long id = submitted_job_id(submitted.out);
    std::string pod = cluster_.wait_for_pod(kAliceNamespace, id);
    if (pod.empty()) return "jsub: no pod for job " + std::to_string(id);
    cluster_.server().set_pod_running(kAliceNamespace, pod);
    if (auto f = expect("qdel -f", run("qdel/qdel", {"-f", std::to_string(id)}), 0,
                        "registered the job " + std::to_string(id) + " for deletion");
        !f.empty())
      return f;
    if (!cluster_.server().get("/api/v1/namespaces/tool-alice/pods/" + pod)) return "";
    return "qdel -f: pod " + pod + " still exists";
  }

  // jsub -once and qcronsub: the guard, the refusal of a second copy, and the clean-up of the
  // guard when the job cannot be created (a full quota).
  std::string once_and_quota() {
    if (auto f = expect("jsub -once",
                        run("jsub/jsub", {"-once", "-stderr", "-N", "single", "/bin/true"}), 0);
        !f.empty())
      return f;
    auto again = run("jsub/jsub", {"-once", "-stderr", "-N", "single", "/bin/true"});
    if (again.exit_code != 1 || again.err.find("already active") == std::string::npos)
      return "jsub -once (second): expected \"already active\"; got " + describe(again);
    if (auto f =
            expect("qcronsub", run("jsub/qcronsub", {"-stderr", "-N", "cron", "/bin/true"}), 0);
        !f.empty())
      return f;
    cluster_.server().set_quota(kAliceNamespace, "count/jobs.batch", 0);
    auto full = run("jsub/jsub", {"-once", "-stderr", "-N", "later", "/bin/true"});
    cluster_.server().set_quota(kAliceNamespace, "count/jobs.batch", 100);
    if (full.exit_code != 25) return "jsub -once (full quota): expected 25; got " + describe(full);
    return expect("jsub -once (after the quota)",
                  run("jsub/jsub", {"-once", "-stderr", "-N", "later", "/bin/true"}), 0);
  }

  // jsub -sync y waits for the job and exits with its exit status.
  // Each wait also ends when jsub does: without some verb it gives up early, and that is the
  // failure to report.
  std::string sync() {
    const std::string jobs_path = "/apis/batch/v1/namespaces/tool-alice/jobs";
    const int watches_before = cluster_.server().watches_started(jobs_path);
    auto waiting = std::async(std::launch::async, [this] {
      return run("jsub/jsub", {"-sync", "y", "-stderr", "-N", "waited", "/bin/true"});
    });
    auto jsub_ended = [&] {
      return waiting.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    };
    long long id = 0;
    auto created = wait_until(
        [&] {
          for (const auto& job : cluster_.server().list(jobs_path)) {
            const json labels = job["metadata"].value("labels", json::object());
            if (labels.value("k8sjobs.io/job-name", "") == "waited")
              id = std::stoll(labels.value("k8sjobs.io/job-id", "0"));
          }
          return id != 0 || jsub_ended();
        },
        kEventDeadline, "jsub -sync y to create its Job");
    if (!created) return created.message();
    std::string pod = id == 0 ? "" : cluster_.wait_for_pod(kAliceNamespace, id);
    if (!pod.empty()) {
      cluster_.server().set_pod_running(kAliceNamespace, pod);
      // The pod ends only once jsub watches its Job, so the end reaches jsub as a watch event.
      auto watching = wait_until(
          [&] {
            return cluster_.server().watches_started(jobs_path) > watches_before || jsub_ended();
          },
          kEventDeadline, "jsub -sync y to watch its Job");
      if (!watching) return watching.message();
      cluster_.server().finish_pod(kAliceNamespace, pod, 3);
    }
    return expect("jsub -sync y", waiting.get(), 3);
  }

  // jstart, then qhold/qrls of the pending Deployment, then jstop.
  std::string continuous() {
    auto started = run("jstart/jstart", {"-stderr", "-N", "bot", "sleep", "600"});
    if (auto f = expect("jstart", started, 0, "has been submitted"); !f.empty()) return f;
    const std::string id = std::to_string(submitted_job_id(started.out));
    if (auto f = expect("qhold (continuous)", run("qdel/qhold", {"bot"}), 0, "modified hold");
        !f.empty())
      return f;
    if (auto f = expect("qrls (continuous)", run("qdel/qrls", {"bot"}), 0, "modified hold");
        !f.empty())
      return f;
    return expect("jstop", run("qstat/jstop", {"bot"}), 0, id);
  }

  // k8sjobs-migrate apply creates a CronJob, then replaces it when the line changes.
  std::string migrate_apply() {
    auto home = cluster_.home_of(cluster_.alice());
    {
      std::ofstream crontab(home / "crontab");
      crontab << "0 * * * * jsub -once -N hourly /bin/true\n";
    }
    auto first = run("migration/k8sjobs-migrate",
                     {"apply", "--no-program-check", (home / "crontab").string()});
    if (auto f = expect("k8sjobs-migrate apply", first, 0); !f.empty()) return f;
    {
      std::ofstream crontab(home / "crontab");
      crontab << "30 * * * * jsub -once -N hourly /bin/true\n";
    }
    auto second = run("migration/k8sjobs-migrate",
                      {"apply", "--no-program-check", (home / "crontab").string()});
    if (auto f = expect("k8sjobs-migrate apply (changed)", second, 0); !f.empty()) return f;
    auto cronjobs = cluster_.server().list("/apis/batch/v1/namespaces/tool-alice/cronjobs");
    if (cronjobs.size() != 1 || cronjobs[0]["spec"].value("schedule", "") != "30 * * * *")
      return "k8sjobs-migrate apply: the CronJob was not replaced";
    return "";
  }

  // The Toolforge jobs framework's jobs beside ours: qstat lists them (a number recorded for
  // each), qdel deletes the scheduled one.
  std::string toolforge_jobs() {
    create_toolforge_jobs(cluster_.server(), "alice", kAliceNamespace);
    if (auto f = expect("qstat (framework jobs)", run("qstat/qstat", {}), 0, " daily "); !f.empty())
      return f;
    if (auto f =
            expect("qdel (framework CronJob)", run("qdel/qdel", {"daily"}), 0, "has deleted job");
        !f.empty())
      return f;
    if (cluster_.server().get("/apis/batch/v1/namespaces/tool-alice/cronjobs/daily"))
      return "qdel (framework CronJob): the CronJob still exists";
    return "";
  }

  // qacct reads the accounting shards the controller wrote (one here, as the controller would
  // write it) with the user's own rights.
  std::string accounting() {
    cluster_.server().create(
        "/api/v1/namespaces/tool-alice/configmaps",
        {{"apiVersion", "v1"},
         {"kind", "ConfigMap"},
         {"metadata",
          {{"name", "k8sjobs-acct-203001-0"},
           {"labels",
            {{"app.kubernetes.io/managed-by", "k8sjobs"}, {"k8sjobs.io/accounting", "records"}}}}},
         {"data",
          {{"tool-alice.uid.0",
            R"({"key":"tool-alice/uid/0","jobnumber":7,"owner":"tools.alice","jobname":"done"})"}}}});
    if (auto f = expect("qacct", run("qacct/qacct", {}), 0, "Total System Usage"); !f.empty())
      return f;
    return expect("qacct -j", run("qacct/qacct", {"-j", "7"}), 0, "jobname      done");
  }

  ClusterFixture cluster_;
  long long first_ = 0;
};

// (group, resource, verb) of every request the server allowed, e.g. "batch jobs create".
std::set<std::string> used_permissions(const std::vector<RecordedRequest>& requests) {
  std::set<std::string> used;
  for (const auto& request : requests) {
    if (request.status == 403 || request.status == 401) continue;
    std::string verb;
    std::istringstream path(request.path);
    std::vector<std::string> parts;
    for (std::string part; std::getline(path, part, '/');)
      if (!part.empty()) parts.push_back(part);
    // /api/v1/namespaces/NS/RES[/NAME[/SUB]] or /apis/GROUP/VERSION/namespaces/NS/RES[...]
    size_t at = parts.size() > 0 && parts[0] == "api" ? 2 : 3;
    if (parts.size() < at + 3 || parts[at] != "namespaces") continue;
    const std::string group = parts[0] == "api" ? "" : parts[1];
    std::string resource = parts[at + 2];
    if (parts.size() > at + 4) resource += "/" + parts[at + 4];
    const bool named = parts.size() > at + 3;
    if (request.method == "GET") {
      verb = named ? "get"
             : request.query.find("watch=true") != std::string::npos ||
                     request.query.find("watch=1") != std::string::npos
                 ? "watch"
                 : "list";
    } else if (request.method == "POST") {
      verb = "create";
    } else if (request.method == "PUT") {
      verb = "update";
    } else if (request.method == "PATCH") {
      verb = "patch";
    } else if (request.method == "DELETE") {
      verb = named ? "delete" : "deletecollection";
    }
    used.insert((group.empty() ? "core" : group) + " " + resource + " " + verb);
  }
  return used;
}

std::set<std::string> granted_permissions(const json& role) {
  std::set<std::string> granted;
  for (const auto& rule : role["rules"])
    for (const auto& group : rule["apiGroups"])
      for (const auto& resource : rule["resources"])
        for (const auto& verb : rule["verbs"]) {
          std::string g = group.get<std::string>();
          granted.insert((g.empty() ? "core" : g) + " " + resource.get<std::string>() + " " +
                         verb.get<std::string>());
        }
  return granted;
}

TEST(ShippedRole, EveryCommandWorksForAUserBoundOnlyToIt) {
  const json role = shipped_role();
  Scenario scenario(&role);
  EXPECT_EQ(scenario.run(), "");
  // And every permission the Role grants was used by the commands (no wildcard, no spare verb).
  auto used = used_permissions(scenario.server().requests());
  for (const auto& granted : granted_permissions(role))
    EXPECT_TRUE(used.count(granted)) << granted << " is granted but no command used it";
}

TEST(ShippedRole, WithoutAnyRestrictionTheScenarioPassesAndUsesOnlyWhatTheRoleGrants) {
  Scenario scenario(nullptr);
  EXPECT_EQ(scenario.run(), "");
  const auto granted = granted_permissions(shipped_role());
  for (const auto& used : used_permissions(scenario.server().requests()))
    EXPECT_TRUE(granted.count(used)) << used << " is used by a command but not in role.yaml";
}

// One case per verb of the shipped Role, so the cases spread over ctest's processes.
struct VerbRemoval {
  std::size_t rule;
  std::size_t verb;
  std::string name;  // the case's name: rule index, first resource, verb
};

std::vector<VerbRemoval> every_verb_removal() {
  std::vector<VerbRemoval> removals;
  const json role = shipped_role();
  for (std::size_t r = 0; r < role["rules"].size(); ++r) {
    const auto& rule = role["rules"][r];
    for (std::size_t v = 0; v < rule["verbs"].size(); ++v) {
      std::string name = "rule" + std::to_string(r) + "_" +
                         rule["resources"][0].get<std::string>() + "_" +
                         rule["verbs"][v].get<std::string>();
      for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      removals.push_back({r, v, name});
    }
  }
  return removals;
}

class ShippedRoleWithoutOneVerb : public ::testing::TestWithParam<VerbRemoval> {};

TEST_P(ShippedRoleWithoutOneVerb, MakesACommandFail) {
  const json role = shipped_role();
  const auto [r, v, name] = GetParam();
  json smaller = role;
  auto& verbs = smaller["rules"][r]["verbs"];
  const std::string removed = verbs[v].get<std::string>();
  verbs.erase(v);
  if (verbs.empty()) smaller["rules"].erase(r);
  Scenario scenario(&smaller);
  std::string failure = scenario.run();
  EXPECT_NE(failure, "") << "rule " << r << " (" << role["rules"][r]["resources"].dump()
                         << ") still works without verb " << removed;
  std::cout << "without " << role["rules"][r]["resources"].dump() << " " << removed << ": "
            << failure.substr(0, failure.find('\n')) << "\n";
}

INSTANTIATE_TEST_SUITE_P(EveryVerb, ShippedRoleWithoutOneVerb,
                         ::testing::ValuesIn(every_verb_removal()),
                         [](const ::testing::TestParamInfo<VerbRemoval>& removal) {
                           return removal.param.name;
                         });

}  // namespace
}  // namespace k8sjobs::testing
