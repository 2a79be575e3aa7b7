#include "k8sjobs/cli/version_command.h"

#include <ostream>

#include "k8sjobs/git_commit.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/version.h"

namespace k8sjobs::cli {

int print_version(const std::string& command, const sys::Environment& environment,
                  std::ostream& out, std::ostream& err) {
  out << command << " (k8sjobs) " << kVersion << " (commit " << kGitCommit << ")\n";
  auto site = site::load_site_config(environment);
  if (!site) {
    err << command << ": " << site.error().message << "\n";
    return 1;
  }
  out << "backend: " << site::to_string(site->backend) << "\n";
  out << "site config: " << site->describe_source() << "\n";
  return 0;
}

}  // namespace k8sjobs::cli
