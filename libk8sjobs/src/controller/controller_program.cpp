// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/controller_program.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <ostream>
#include <thread>

#include "k8sjobs/cli/program.h"
#include "k8sjobs/cli/version_command.h"
#include "k8sjobs/controller/accounting_controller.h"
#include "k8sjobs/controller/cluster_facts_reader.h"
#include "k8sjobs/controller/job_events_reader.h"
#include "k8sjobs/controller/job_lifecycle.h"
#include "k8sjobs/controller/leader_election.h"
#include "k8sjobs/controller/mail_controller.h"
#include "k8sjobs/controller/run_id_assigner.h"
#include "k8sjobs/controller/start_controller.h"
#include "k8sjobs/controller/status_feed.h"
#include "k8sjobs/controller/status_server.h"
#include "k8sjobs/controller/task_gate_controller.h"
#include "k8sjobs/jobs/kube_backend.h"
#include "k8sjobs/kube/connection_resolver.h"
#include "k8sjobs/kube/credentials.h"
#include "k8sjobs/kube/curl_transport.h"
#include "k8sjobs/kube/resources.h"
#include "k8sjobs/log.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/status/controller_metrics.h"
#include "k8sjobs/text/rfc3339.h"
#include "k8sjobs/translate/labels.h"
#include "k8sjobs/translate/managed_by.h"

namespace k8sjobs::controller {

namespace {

constexpr const char* kCommand = "k8sjobs-controller";

// Set by SIGTERM/SIGINT (a pod being stopped): the loop gives up the Lease and ends.
std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
  stop_requested = true;
}

class ClusterClients {
 public:
  ClusterClients(kube::ConnectionConfig connection, sys::Clock& clock,
                 const sys::Environment& environment)
      : connection_(std::move(connection)), clock_(clock), environment_(environment) {}

  // A client of its own for each thread (a KubeClient is not shared between threads).
  std::unique_ptr<kube::KubeClient> make(kube::RetryPolicy policy = {}) const {
    auto credentials = kube::make_credential_provider(connection_, clock_, environment_);
    auto transport = kube::make_curl_transport(connection_, std::move(credentials));
    return std::make_unique<kube::KubeClient>(std::move(transport), policy, clock_);
  }
  const kube::ConnectionConfig& connection() const { return connection_; }

 private:
  kube::ConnectionConfig connection_;
  sys::Clock& clock_;
  const sys::Environment& environment_;
};

std::string describe_scope(const std::string& ns) {
  return ns.empty() ? "all namespaces" : "namespace " + ns;
}

// Numbers the converted CronJobs' runs that wait for a job number; false when it failed.
bool number_cron_runs(RunIdAssigner& numberer, const std::string& ns,
                      const std::function<bool()>& may_act) {
  auto pass = numberer.assign(ns, may_act);
  if (!pass) {
    log_error("{}: CronJob runs: {}", describe_scope(ns), pass.error().describe());
    return false;
  }
  if (pass->numbered + pass->skipped + pass->failed > 0) {
    log_info("{}: {} CronJob runs numbered, {} skipped, {} failed", describe_scope(ns),
             pass->numbered, pass->skipped, pass->failed);
  }
  return pass->failed == 0;
}

// -hold_jid_ad: removes the scheduling gates of array tasks whose predecessor tasks have
// finished; false when it failed.
bool release_array_tasks(TaskGateController& gates, const std::string& ns,
                         const std::function<bool()>& may_act) {
  auto pass = gates.reconcile(ns, may_act);
  if (!pass) {
    log_error("{}: array tasks: {}", describe_scope(ns), pass.error().describe());
    return false;
  }
  if (pass->released + pass->skipped + pass->failed > 0) {
    log_info("{}: array tasks: {} released, {} waiting, {} skipped, {} failed", describe_scope(ns),
             pass->released, pass->waiting, pass->skipped, pass->failed);
  }
  return pass->failed == 0;
}

// Submissions, completions and failures a watch event means, into /metrics.
void count_lifecycle(const LifecycleChange& change, status::MetricsRegistry& metrics) {
  const status::MetricLabels labels{{"namespace", change.ns}};
  if (change.submitted) metrics.add(status::metric::kSubmitted, labels);
  if (change.completed) metrics.add(status::metric::kCompleted, labels);
  if (change.failed) metrics.add(status::metric::kFailed, labels);
}

// Accounting is written every this often (a finished Job's TTL must be longer: docs/admin.md).
constexpr std::chrono::seconds kAccountingInterval{30};

// Writes the accounting records of finished Jobs; false when it failed.
bool account_finished_jobs(AccountingController& accountant, const std::string& ns,
                           const std::function<bool()>& may_act) {
  auto pass = accountant.reconcile(ns, may_act);
  if (!pass) {
    log_error("{}: accounting: {}", describe_scope(ns), pass.error().describe());
    return false;
  }
  if (pass->jobs + pass->failed > 0) {
    log_info("{}: accounting: {} jobs accounted ({} records), {} failed", describe_scope(ns),
             pass->jobs, pass->records, pass->failed);
  }
  return pass->failed == 0;
}

// The mail pass of --once. A relay that refuses is no failure of the pass: the mail stays
// queued in the cluster for the next one (logged as a warning).
int run_mail_once(const std::vector<std::string>& scopes, LeaderElector& elector,
                  kube::KubeClient& client, sys::Clock& clock, const MailSetup& setup) {
  mail::SmtpSender sender(setup.smtp);
  MailController mailer(client, clock, sender, setup.policy);
  int code = 0;
  for (const auto& ns : scopes) {
    auto pass = mailer.reconcile(ns, [&] { return elector.is_leader(); });
    if (!pass) {
      log_error("mail in {}: {}", describe_scope(ns), pass.error().describe());
      code = 1;
      continue;
    }
    log_info("mail in {}: {} queued, {} sent, {} pending", describe_scope(ns), pass->queued,
             pass->sent, pass->pending);
  }
  return code;
}

int run_once(const ControllerOptions& options, const std::vector<std::string>& scopes,
             LeaderElector& elector, kube::KubeClient& client, sys::Clock& clock,
             const std::optional<MailSetup>& mail_setup) {
  if (!elector.try_acquire_or_renew()) {
    log_info("lease {}/{} not taken (another replica holds it, or see above): nothing done",
             elector.settings().namespace_name, elector.settings().name);
    return 0;
  }
  StartController starter(client, clock);
  RunIdAssigner numberer(client, clock);
  AccountingController accountant(client, clock);
  TaskGateController gates(client);
  int code = 0;
  for (const auto& ns : scopes) {
    if (!number_cron_runs(numberer, ns, [&] { return elector.is_leader(); })) code = 1;
    if (!release_array_tasks(gates, ns, [&] { return elector.is_leader(); })) code = 1;
    if (!account_finished_jobs(accountant, ns, [&] { return elector.is_leader(); })) code = 1;
    auto pass = starter.reconcile(ns, [&] { return elector.is_leader(); });
    if (!pass) {
      log_error("{}: {}", describe_scope(ns), pass.error().describe());
      code = 1;
      continue;
    }
    log_info("{}: {} started, {} waiting{}, {} waiting for other jobs, {} skipped, {} failed",
             describe_scope(ns), pass->released, pass->waiting,
             pass->next_due ? " (next at " + text::format_rfc3339(*pass->next_due) + ")" : "",
             pass->blocked, pass->skipped, pass->failed);
    if (pass->failed > 0) code = 1;
  }
  if (mail_setup && run_mail_once(scopes, elector, client, clock, *mail_setup) != 0) code = 1;
  (void)options;
  elector.release();
  return code;
}

// The status page's server and the thread that keeps its snapshot (--listen).
std::unique_ptr<StatusServer> start_status_page(const ControllerOptions& options,
                                                const std::vector<std::string>& scopes,
                                                const site::SiteConfig& site,
                                                const ClusterClients& clients, sys::Clock& clock,
                                                status::StatusBoard& board,
                                                status::MetricsRegistry& metrics,
                                                std::unique_ptr<StatusFeed>& feed) {
  if (options.listen == "off") return nullptr;
  // The page shows only what k8sjobs created (never the Toolforge jobs framework's jobs, whose
  // job numbers qstat records on first sight: the page never writes).
  site::SiteConfig page_site = site;
  page_site.interop.toolforge_jobs = false;
  std::vector<std::unique_ptr<jobs::JobBackend>> backends;
  for (const auto& ns : scopes)
    backends.push_back(jobs::make_kube_backend(clients.make(), page_site, clock, ns));
  feed = std::make_unique<StatusFeed>(
      std::move(backends), clock, board, metrics, std::chrono::seconds(options.status_interval),
      std::make_unique<ClusterFactsReader>(clients.make(), scopes, clock));
  StatusFeed* fed = feed.get();
  auto events = std::make_shared<JobEventsReader>(clients.make(), clock);
  auto server = std::make_unique<StatusServer>(
      board, metrics, [fed] { return fed->fresh(); },
      [events](const std::string& ns, const jobs::JobRecord& job) {
        return events->read(ns, job);
      });
  auto port = server->start(*parse_listen_address(options.listen));
  if (!port) {
    log_error("{}", port.error());
    return nullptr;
  }
  log_info("status page on {} (port {})", options.listen, *port);
  std::thread([fed, &clock] {
    while (!stop_requested) {
      fed->refresh();
      for (auto left = fed->period(); left.count() > 0 && !stop_requested;
           left -= std::chrono::seconds(1))
        clock.sleep_for(std::chrono::seconds(1));
    }
  }).detach();  // may be blocked in a LIST at exit, like the watches
  return server;
}

int run_loop(const ControllerOptions& options, const std::vector<std::string>& scopes,
             const site::SiteConfig& site, LeaderElector& elector, const ClusterClients& clients,
             sys::Clock& clock, const std::optional<MailSetup>& mail_setup) {
  status::MetricsRegistry metrics;
  status::metric::describe_controller_metrics(metrics);
  status::StatusBoard board;
  std::unique_ptr<StatusFeed> feed;
  auto server = start_status_page(options, scopes, site, clients, clock, board, metrics, feed);
  if (options.listen != "off" && !server) return 1;
  DueQueue queue;
  std::thread election([&] { elector.run(stop_requested); });
  const ClientFactory make_client = [&clients] { return clients.make(); };
  const MayAct is_leader = [&elector] { return elector.is_leader(); };
  std::thread mailing([&] {
    if (mail_setup)
      run_mail_loop(scopes, make_client, clock, *mail_setup, is_leader, stop_requested, metrics);
  });
  // One watch per kind and scope, each with its own client: it LISTs first (SYNC events), then
  // watches from that resourceVersion; the client reconnects, and LISTs again on 410 Gone.
  for (const auto& ns : scopes) {
    for (bool deployment : {false, true}) {
      std::thread([&clients, &clock, &queue, &metrics, ns, deployment] {
        auto client = clients.make();
        const auto& kind = deployment ? kube::resources::kDeployments : kube::resources::kJobs;
        kube::WatchOptions watch;
        watch.label_selector = translate::managed_by_selector();
        watch.server_timeout = std::chrono::seconds(60);
        JobLifecycle lifecycle;
        while (!stop_requested) {
          auto watched = client->watch(kind, ns, watch, [&](const kube::WatchEvent& event) {
            metrics.add(status::metric::kWatchEvents, {{"kind", std::string(kind.plural)}});
            count_lifecycle(lifecycle.observe(event, deployment), metrics);
            note_event(queue, event, deployment, clock.now());
            return stop_requested ? kube::WatchControl::Stop : kube::WatchControl::Continue;
          });
          if (!watched && !stop_requested) {
            metrics.add(status::metric::kRelists, {{"kind", std::string(kind.plural)}});
            log_warning("watch of {} in {}: {}; listing again in 2 s", kind.plural,
                        describe_scope(ns), watched.error().describe());
            clock.sleep_for(std::chrono::seconds(2));
          }
        }
      }).detach();  // blocked in a watch at exit: the process ends without waiting for it
    }
  }

  auto client = clients.make();
  StartController starter(*client, clock);
  RunIdAssigner numberer(*client, clock);
  AccountingController accountant(*client, clock);
  TaskGateController gates(*client);
  const auto may_act = [&] { return elector.is_leader(); };
  auto next_accounting = std::chrono::steady_clock::now();
  // CronJob runs wait suspended for their number, -hold_jid_ad tasks behind their scheduling
  // gate: looked for every retry period (one LIST each of the few labelled so, usually empty).
  auto next_numbering = std::chrono::steady_clock::now();
  while (!stop_requested) {
    if (elector.is_leader() && std::chrono::steady_clock::now() >= next_numbering) {
      for (const auto& ns : scopes) {
        number_cron_runs(numberer, ns, may_act);
        release_array_tasks(gates, ns, may_act);
      }
      next_numbering = std::chrono::steady_clock::now() + elector.settings().retry_period;
    }
    if (elector.is_leader() && std::chrono::steady_clock::now() >= next_accounting) {
      for (const auto& ns : scopes) account_finished_jobs(accountant, ns, may_act);
      next_accounting = std::chrono::steady_clock::now() + kAccountingInterval;
    }
    if (elector.is_leader()) {
      for (const auto& key : queue.take_due(clock.now())) {
        std::optional<TimePoint> due;
        const auto began = clock.steady_now();
        std::vector<long long> pending;
        const auto outcome = starter.reconcile_object(key, may_act, &due, &pending);
        metrics.observe(status::metric::kReconcileSeconds, {},
                        std::chrono::duration<double>(clock.steady_now() - began).count());
        switch (outcome) {
          case StartController::Outcome::Waiting:
            if (due) queue.note(key, *due);
            break;
          case StartController::Outcome::Blocked:  // -hold_jid: due when one of them ends
            queue.block(key, pending, clock.now() + kBlockedRecheck);
            break;
          case StartController::Outcome::Failed:
            metrics.add(status::metric::kReleaseFailures);
            queue.note(key, clock.now() + elector.settings().retry_period);
            break;
          case StartController::Outcome::Released:
            metrics.add(status::metric::kReleases);
            break;
          case StartController::Outcome::Nothing:
            break;
        }
      }
    }
    // Wake for the next due object, a new event, or at least every second (leadership).
    auto wait = std::chrono::milliseconds(1000);
    if (auto next = queue.earliest()) {
      wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock.now()),
                        std::chrono::milliseconds(0), wait);
    }
    queue.wait_until(std::chrono::steady_clock::now() + wait);
  }
  election.join();
  mailing.join();
  elector.release();
  if (server) server->stop();
  log_info("stopped");
  return 0;
}

}  // namespace

std::string controller_usage() {
  return "usage: k8sjobs-controller (--namespace NS ... | --all-namespaces) [options]\n"
         "Starts k8sjobs' deferred jobs (jsub -a) when their time comes, jobs that wait for\n"
         "others (-hold_jid) when those have finished and array tasks that wait for the\n"
         "tasks of other array jobs (-hold_jid_ad) when those have finished, sends the\n"
         "mail they asked for (-m) through the site's SMTP relay (mail.relay), gives every\n"
         "run of a converted CronJob its own job number, and writes the accounting records\n"
         "of finished jobs (qacct) before their TTL removes them. Of several replicas only\n"
         "the holder of a coordination.k8s.io Lease acts.\n"
         "  --namespace NS        watch this namespace (repeatable)\n"
         "  --all-namespaces      watch every namespace (needs a ClusterRole)\n"
         "  --once                one pass over the namespaces, then exit\n"
         "  --kubeconfig FILE     cluster and credentials (default: KUBECONFIG, ~/.kube/config,\n"
         "                        else the pod's service account)\n"
         "  --identity ID         this replica's name in the Lease (default: host_pid)\n"
         "  --lease-namespace NS  namespace of the Lease (default: the connection's namespace)\n"
         "  --lease-name NAME     name of the Lease (default: k8sjobs-controller)\n"
         "  --listen HOST:PORT    serve the read-only status page, /metrics, /healthz and\n"
         "                        /readyz there (default: 0.0.0.0:8080; off: no server)\n"
         "  --status-interval S   seconds between snapshots for the status page (default: 5)\n"
         "  --help                print this help and exit\n"
         "  --version             print the version and exit\n";
}

Expected<ControllerOptions, std::string> parse_controller_options(
    const std::vector<std::string>& args) {
  ControllerOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    std::string name = word;
    std::optional<std::string> value;
    if (auto equals = word.find('='); word.starts_with("--") && equals != std::string::npos) {
      name = word.substr(0, equals);
      value = word.substr(equals + 1);
    }
    auto take = [&]() -> Expected<std::string, std::string> {
      if (value) return *value;
      if (i + 1 >= args.size()) return unexpected("option " + name + " needs a value");
      return args[++i];
    };
    auto flag = [&](bool& target) -> std::optional<std::string> {
      if (value) return "option " + name + " takes no value";
      target = true;
      return std::nullopt;
    };
    std::optional<std::string> error;
    if (name == "--namespace" || name == "-n") {
      auto text = take();
      if (!text) return unexpected(text.error());
      if (text->empty()) return unexpected(std::string("--namespace needs a namespace"));
      options.namespaces.push_back(*text);
    } else if (name == "--all-namespaces" || name == "-A") {
      error = flag(options.all_namespaces);
    } else if (name == "--once") {
      error = flag(options.once);
    } else if (name == "--help" || name == "-h") {
      error = flag(options.help);
    } else if (name == "--version") {
      error = flag(options.version);
    } else if (name == "--listen") {
      auto text = take();
      if (!text) return unexpected(text.error());
      if (*text != "off") {
        if (auto address = parse_listen_address(*text); !address)
          return unexpected(address.error());
      }
      options.listen = *text;
    } else if (name == "--status-interval") {
      auto text = take();
      if (!text) return unexpected(text.error());
      int seconds = 0;
      auto [end, failed] = std::from_chars(text->data(), text->data() + text->size(), seconds);
      if (failed != std::errc() || end != text->data() + text->size() || seconds < 1 ||
          seconds > 3600)
        return unexpected("--status-interval wants seconds from 1 to 3600, not \"" + *text + "\"");
      options.status_interval = seconds;
    } else if (name == "--kubeconfig" || name == "--identity" || name == "--lease-namespace" ||
               name == "--lease-name") {
      auto text = take();
      if (!text) return unexpected(text.error());
      if (text->empty()) return unexpected(name + " needs a non-empty value");
      (name == "--kubeconfig"        ? options.kubeconfig
       : name == "--identity"        ? options.identity
       : name == "--lease-namespace" ? options.lease_namespace
                                     : options.lease_name) = *text;
    } else {
      return unexpected("unknown option " + word);
    }
    if (error) return unexpected(*error);
  }
  if (options.help || options.version) return options;
  if (options.all_namespaces && !options.namespaces.empty())
    return unexpected(std::string("--namespace and --all-namespaces exclude each other"));
  if (!options.all_namespaces && options.namespaces.empty())
    return unexpected(std::string("give --namespace NS (repeatable) or --all-namespaces"));
  return options;
}

int run_controller(cli::CommandIo& io) {
  auto parsed = parse_controller_options(io.args);
  if (!parsed) {
    io.err << kCommand << ": " << parsed.error() << "\n" << controller_usage();
    return 2;
  }
  if (parsed->help) {
    io.out << controller_usage();
    return 0;
  }
  if (parsed->version) return cli::print_version(kCommand, io.environment, io.out, io.err);
  // A daemon reports what it does: info unless K8SJOBS_LOG says otherwise.
  LoggingScope logging(
      kCommand,
      io.environment.get("K8SJOBS_LOG") ? log_level_from(io.environment, 0) : LogLevel::Info,
      &io.err);

  kube::ConnectionRequest request;
  if (!parsed->kubeconfig.empty()) request.kubeconfig = parsed->kubeconfig;
  if (auto dir = io.environment.get("K8SJOBS_SERVICE_ACCOUNT_DIR"))
    request.service_account_dir = *dir;
  auto connection = kube::resolve_connection(request, io.environment);
  if (!connection) {
    log_error("{}", connection.error().describe());
    return 1;
  }
  ClusterClients clients(*connection, io.clock, io.environment);
  auto site = site::load_site_config(io.environment);
  if (!site) {
    log_error("{}", site.error().message);
    return 1;
  }
  auto mail_setup = mail_setup_from(*site);
  if (!mail_setup) {
    log_error("{}", mail_setup.error());
    return 1;
  }
  if (*mail_setup) {
    log_info("mail through {} from {}, batched over {} s", (*mail_setup)->smtp.relay,
             (*mail_setup)->policy.from, (*mail_setup)->policy.batch_window.count());
  }

  LeaseSettings lease;
  lease.namespace_name =
      parsed->lease_namespace.empty() ? connection->namespace_name : parsed->lease_namespace;
  lease.name = parsed->lease_name;
  lease.identity = parsed->identity.empty() ? default_identity() : parsed->identity;
  // Lease requests give up well within the renew deadline.
  kube::RetryPolicy lease_policy;
  lease_policy.max_attempts = 3;
  lease_policy.deadline = lease.retry_period;
  auto lease_client = clients.make(lease_policy);
  LeaderElector elector(*lease_client, io.clock, lease);

  std::vector<std::string> scopes =
      parsed->all_namespaces ? std::vector<std::string>{""} : parsed->namespaces;
  log_info("{} as {} on {} ({}), lease {}/{}", parsed->once ? "one pass" : "starting",
           lease.identity, connection->server, connection->source, lease.namespace_name,
           lease.name);
  if (parsed->once) {
    auto client = clients.make();
    return run_once(*parsed, scopes, elector, *client, io.clock, *mail_setup);
  }
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
  return run_loop(*parsed, scopes, *site, elector, clients, io.clock, *mail_setup);
}

int controller_main(int argc, char** argv) {
  // Watch threads may still be blocked at exit: end without the runtime's teardown.
  return cli::run_program(kCommand, argc, argv, run_controller, cli::ProcessEnd::WithoutTeardown);
}

}  // namespace k8sjobs::controller
