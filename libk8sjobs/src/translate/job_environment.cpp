#include "k8sjobs/translate/job_environment.h"

#include <cctype>
#include <map>
#include <optional>

namespace k8sjobs::translate {

namespace {

bool valid_env_name(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool ok = std::isalpha(c) || c == '_' || c == '-' || c == '.' || (i > 0 && std::isdigit(c));
    if (!ok) return false;
  }
  return true;
}

TranslateError env_name_refusal(const std::string& name) {
  return TranslateError{"Unable to run job: the variable name \"" + name +
                            "\" given with -v cannot be set on "
                            "Kubernetes.\nExiting.",
                        1};
}

// Ordered environment with later settings replacing earlier ones.
class EnvList {
 public:
  void set(const std::string& name, const std::string& value) {
    auto found = index_.find(name);
    if (found != index_.end()) {
      entries_[found->second].second = value;
      return;
    }
    index_[name] = entries_.size();
    entries_.emplace_back(name, value);
  }
  EnvironmentList take() { return std::move(entries_); }

 private:
  EnvironmentList entries_;
  std::map<std::string, size_t> index_;
};

}  // namespace

std::string job_queue(const ge::SubmitRequest& request) {
  return request.continuous ? "continuous" : request.queue;
}

unsigned job_umask(const ge::SubmitRequest& request, const site::SiteConfig& site) {
  bool tool_account = request.user.rfind(site.tool_prefix, 0) == 0;
  return request.umask ? *request.umask : (tool_account ? 0007U : 0077U);
}

Expected<EnvironmentList, TranslateError> job_environment(const ge::SubmitRequest& request,
                                                          const JobIdentity& identity,
                                                          const SubmitContext& context,
                                                          const ge::OutputPaths& paths) {
  EnvList env;
  if (request.export_all) {
    for (const auto& [name, value] : context.environment) {
      if (valid_env_name(name)) env.set(name, value);
    }
  }
  for (const char* name : {"HOME", "LOGNAME", "PATH", "SHELL", "TZ", "MAIL"}) {
    if (auto value = context.environment_value(name)) env.set(std::string("SGE_O_") + name, *value);
  }
  int slots = request.cpus ? static_cast<int>(*request.cpus) : 1;
  env.set("SGE_O_WORKDIR", request.submit_cwd);
  env.set("SGE_O_HOST", context.hostname);
  env.set("JOB_ID", std::to_string(identity.id));
  env.set("JOB_NAME", request.job_name);
  env.set("REQUEST", request.job_name);
  env.set("JOB_SCRIPT", request.resolved_program);
  env.set("QUEUE", job_queue(request));
  env.set("NSLOTS", std::to_string(slots));
  env.set("NHOSTS", "1");
  env.set("NQUEUES", "1");
  env.set("RESTARTED", "0");
  env.set("ENVIRONMENT", "BATCH");
  env.set("HOME", request.home);
  env.set("USER", request.user);
  env.set("LOGNAME", request.user);
  env.set("SHELL", request.shell.value_or("/bin/sh"));
  env.set("TMPDIR", "/tmp");
  env.set("SGE_CWD_PATH", request.working_dir);
  env.set("SGE_STDOUT_PATH", paths.stdout_path);
  env.set("SGE_STDERR_PATH", paths.stderr_path);
  if (request.array) {
    env.set("SGE_TASK_FIRST", std::to_string(request.array->first));
    env.set("SGE_TASK_LAST", std::to_string(request.array->last));
    env.set("SGE_TASK_STEPSIZE", std::to_string(request.array->step));
  } else {
    for (const char* name :
         {"SGE_TASK_ID", "SGE_TASK_FIRST", "SGE_TASK_LAST", "SGE_TASK_STEPSIZE"}) {
      env.set(name, "undefined");
    }
  }
  for (const auto& variable : request.env_vars) {
    if (!valid_env_name(variable.name)) {
      return unexpected(env_name_refusal(variable.name));
    }
    if (variable.from_environment) {
      if (auto value = context.environment_value(variable.name)) env.set(variable.name, *value);
    } else {
      env.set(variable.name, variable.value);
    }
  }
  // qsub: the script as submitted, for the launcher to spool (launcher_script); last, so no -v
  // can replace it.
  if (request.script) env.set("K8SJOBS_JOB_SCRIPT", *request.script);
  return env.take();
}

Expected<Admission, TranslateError> admit(const ge::SubmitRequest& request,
                                          const site::SiteConfig& site,
                                          const std::optional<std::string>& program_text) {
  auto resources = job_resources(request, site);
  if (!resources) return unexpected(resources.error());
  auto choice = choose_image(image_query_of(request, program_text), site.images);
  if (!choice) return unexpected(choice.error());
  for (const auto& variable : request.env_vars) {
    if (!valid_env_name(variable.name)) return unexpected(env_name_refusal(variable.name));
  }
  std::string image = choice->image;
  return Admission{*resources, std::move(image), std::move(*choice)};
}

}  // namespace k8sjobs::translate
