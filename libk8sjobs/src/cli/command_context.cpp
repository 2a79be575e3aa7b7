#include "k8sjobs/cli/command_context.h"

#include <ostream>

#include "k8sjobs/cli/backend_factory.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/sys/current_user.h"

namespace k8sjobs::cli {

namespace {

// The Kubernetes backend keeps a reference to the site configuration, so both live in one
// allocation and the backend pointer shares its ownership.
struct OpenedBackend {
  site::SiteConfig site;
  std::unique_ptr<jobs::JobBackend> backend;
};

}  // namespace

CommandContext make_command_context(const CommandIo& io) {
  CommandContext context{sys::current_user(io.environment), qstat::TimeZone::system_local(), {}};
  context.open_backend = [&io, user = context.user]() -> BackendResult {
    auto site = site::load_site_config(io.environment);
    if (!site) return unexpected(jobs::BackendError{site.error().message, 1});
    auto opened = std::make_shared<OpenedBackend>();
    opened->site = std::move(*site);
    auto backend = open_backend(opened->site, io.environment, io.clock, user);
    if (!backend) return unexpected(backend.error());
    opened->backend = std::move(*backend);
    jobs::JobBackend* raw = opened->backend.get();
    return std::shared_ptr<jobs::JobBackend>(std::move(opened), raw);
  };
  return context;
}

int report_backend_error(const std::string& command, const jobs::BackendError& error,
                         std::ostream& err) {
  err << command << ": " << error.message << "\n";
  return error.exit_code == 0 ? 1 : error.exit_code;
}

}  // namespace k8sjobs::cli
