#include "k8sjobs/ge/output_paths.h"

#include <array>
#include <string_view>
#include <vector>

namespace k8sjobs::ge {

namespace {

// Starts with '/' and has no empty, "." or ".." component and no trailing '/': what
// absolute_path would return unchanged.
bool is_normal_absolute(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;
  std::size_t start = 1;
  while (true) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (end == path.size()) return true;
    start = end + 1;
  }
}

}  // namespace

std::string absolute_path(const std::string& base, const std::string& path) {
  std::string joined = (!path.empty() && path.front() == '/') ? path : base + "/" + path;
  if (is_normal_absolute(joined)) return joined;  // most paths: no second copy
  std::vector<std::string_view> parts;
  parts.reserve(16);
  const std::string_view view(joined);
  std::size_t start = 0;
  while (start <= view.size()) {
    auto end = view.find('/', start);
    if (end == std::string_view::npos) end = view.size();
    const auto part = view.substr(start, end - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

namespace {

// Grid Engine's path pseudo variables; at each '$' the longest name that matches wins.
std::string expand_pseudo_variables(const std::string& path, const SubmitRequest& request,
                                    const OutputPathContext& context) {
  const std::string task = context.task_id ? std::to_string(*context.task_id) : "0";
  const std::array<std::pair<std::string_view, std::string>, 6> vars = {{
      {"$HOME", request.home},
      {"$USER", request.user},
      {"$JOB_ID", std::to_string(context.job_id)},
      {"$JOB_NAME", request.job_name},
      {"$HOSTNAME", context.hostname},
      {"$TASK_ID", task},
  }};
  std::string out;
  for (std::size_t i = 0; i < path.size();) {
    const std::pair<std::string_view, std::string>* best = nullptr;
    if (path[i] == '$') {
      for (const auto& var : vars) {
        if (path.compare(i, var.first.size(), var.first) == 0 &&
            (best == nullptr || var.first.size() > best->first.size())) {
          best = &var;
        }
      }
    }
    if (best != nullptr) {
      out += best->second;
      i += best->first.size();
    } else {
      out += path[i++];
    }
  }
  return out;
}

std::string final_path(const std::string& raw, char stream, const SubmitRequest& request,
                       const OutputPathContext& context) {
  std::string path = raw;
  // [[host]:]path: the host part names where Grid Engine wrote the file; on Kubernetes
  // every pod sees the same shared file system.
  if (const auto colon = path.find(':');
      colon != std::string::npos && path.substr(0, colon).find('/') == std::string::npos) {
    path = path.substr(colon + 1);
  }
  if (path == "~") {
    path = request.home;
  } else if (path.rfind("~/", 0) == 0) {
    path = request.home + path.substr(1);
  }
  path = expand_pseudo_variables(path, request, context);
  const bool trailing_slash = !path.empty() && path.back() == '/';
  path = absolute_path(request.working_dir, path);
  if (trailing_slash || (context.is_directory && context.is_directory(path))) {
    path += "/" + request.job_name + "." + stream + std::to_string(context.job_id);
    if (context.task_id) path += "." + std::to_string(*context.task_id);
    path = absolute_path("/", path);
  }
  return path;
}

}  // namespace

OutputPaths resolve_output_paths(const SubmitRequest& request, const OutputPathContext& context) {
  // qsub: Grid Engine's <name>.o<id>[.<task>] in the working directory (the home unless
  // -cwd/-wd); jsub: $HOME/<name>.out and .err.
  const bool qsub = request.mode == Mode::Qsub;
  const std::string out_raw = request.stdout_path.value_or(
      qsub ? request.working_dir + "/" : request.home + "/" + request.job_name + ".out");
  const std::string err_raw = request.stderr_path.value_or(
      qsub ? request.working_dir + "/" : request.home + "/" + request.job_name + ".err");
  OutputPaths paths;
  paths.merged = request.join;
  paths.stdout_path = final_path(out_raw, 'o', request, context);
  paths.stderr_path = request.join ? paths.stdout_path : final_path(err_raw, 'e', request, context);
  return paths;
}

}  // namespace k8sjobs::ge
