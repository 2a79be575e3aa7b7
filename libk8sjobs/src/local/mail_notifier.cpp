// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/local/mail_notifier.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "json_bytes.h"
#include "k8sjobs/ge/submit_request.h"
#include "k8sjobs/mail/mail_address.h"
#include "k8sjobs/mail/mail_message.h"
#include "k8sjobs/mail/sendmail_sender.h"
#include "k8sjobs/site/site_config.h"

namespace k8sjobs::local {

using mail::MailEvent;
using mail::MailEventKind;
using nlohmann::json;

namespace {

constexpr int kKill = 9;
// sendmail normally answers at once (it only queues); the supervisor waits no longer than this
// before it goes on watching the job's tasks.
constexpr std::chrono::seconds kSendmailTimeout{30};
// What a Debian image's PATH is, for sendmail's helpers.
constexpr const char* kSendmailPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// A user name sendmail delivers on this host (no '@'): POSIX portable name characters, not
// starting with '-'.
bool local_user_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "job 12.1", Grid Engine's way of naming a task in failure lines (task 1 for a plain job).
std::string task_name(const LocalJob& job, const LocalTask& task) {
  return "job " + std::to_string(job.id) + "." +
         std::to_string(task.task_id == 0 ? 1 : task.task_id);
}

bool ran(const LocalTask& task) {
  if (!task.start_time) return false;
  return task.phase == TaskPhase::Running || task.phase == TaskPhase::Exited ||
         task.phase == TaskPhase::Signaled || task.phase == TaskPhase::Lost;
}

// Killed by the supervisor at its h_rt: SIGKILL, not asked by qdel, at or after the limit.
bool killed_at_time_limit(const LocalTask& task, std::optional<std::uint64_t> limit) {
  if (!limit || task.phase != TaskPhase::Signaled || task.signal != kKill) return false;
  if (task.delete_requested || !task.start_time || !task.end_time) return false;
  return *task.end_time - *task.start_time >= std::chrono::seconds(*limit);
}

std::string message_id(const std::string& from, const LocalJob& job, const MailEvent& event,
                       const std::string& recipient, std::chrono::system_clock::time_point now) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::size_t recipient_number = std::hash<std::string>{}(recipient)&0xffffffU;
  char text[96];
  std::snprintf(text, sizeof text, "%lld.%d.%c.%06zx.%lld", job.id, event.task_id,
                mail::letter_of(event.kind), recipient_number, static_cast<long long>(micros));
  const std::size_t at = from.find('@');
  return "<k8sjobs.local." + std::string(text) +
         (at == std::string::npos ? "@localhost" : from.substr(at)) + ">";
}

// Failures go to the job's log file, the one place of a job's own diagnostics the supervisor
// (whose stderr is /dev/null) can write to.
void log_line(const StateStore& store, long long id, const std::string& line) {
  std::ofstream log(store.log_path(id), std::ios::app);
  if (log) log << "k8sjobs: " << line << "\n";
}

}  // namespace

json to_json(const LocalMailSettings& settings) {
  json env = json::array();
  for (const auto& [name, value] : settings.environment) {
    env.push_back(json::array({detail::bytes_json(name), detail::bytes_json(value)}));
  }
  return json{{"sendmail", detail::bytes_json(settings.sendmail)},
              {"from", settings.from},
              {"max_recipients", settings.max_recipients},
              {"env", env}};
}

std::optional<LocalMailSettings> local_mail_settings_from_json(const json& in) {
  try {
    LocalMailSettings settings;
    settings.sendmail = detail::bytes_from_json(in.at("sendmail"));
    settings.from = in.at("from").get<std::string>();
    settings.max_recipients = in.at("max_recipients").get<int>();
    for (const auto& pair : in.at("env")) {
      settings.environment.emplace_back(detail::bytes_from_json(pair.at(0)),
                                        detail::bytes_from_json(pair.at(1)));
    }
    if (settings.sendmail.empty() || settings.sendmail.front() != '/' ||
        settings.max_recipients < 1) {
      return std::nullopt;
    }
    return settings;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

SubmitMail submit_mail(const ge::SubmitRequest& request, const site::SiteConfig& site,
                       const std::vector<std::pair<std::string, std::string>>& environment) {
  SubmitMail result;
  const bool asks = request.mail_options.find_first_of("beas") != std::string::npos;
  // Empty: the site turned local mail off on purpose; saying so on every submission would
  // only make cron mail the warning. Continuous jobs get no mail anyway, as on a cluster.
  if (!asks || site.mail.sendmail.empty() || request.continuous) return result;
  const std::string unusable = mail::sendmail_unusable(site.mail.sendmail);
  if (!unusable.empty()) {
    result.warning = "no mail will be sent: " + unusable + " (site key mail.sendmail)";
    return result;
  }
  if (mail::requested_letters(request.mail_options).empty()) return result;
  LocalMailSettings settings;
  settings.sendmail = site.mail.sendmail;
  settings.from = site.mail.from_address();
  settings.max_recipients = site.mail.max_recipients;
  settings.environment.emplace_back("PATH", kSendmailPath);
  for (const char* name : {"HOME", "USER", "LOGNAME"}) {
    for (const auto& [key, value] : environment) {
      if (key == name) {
        settings.environment.emplace_back(key, value);
        break;
      }
    }
  }
  result.settings = std::move(settings);
  return result;
}

std::string mail_mark(const MailEvent& event) {
  return std::to_string(event.task_id) + "." + mail::letter_of(event.kind);
}

std::vector<MailEvent> decide_local_mail_events(const LocalJob& job,
                                                std::optional<std::uint64_t> time_limit_seconds) {
  std::vector<MailEvent> events;
  const std::string letters = mail::requested_letters(job.details.mail_options);
  if (letters.empty() || job.continuous) return events;
  for (const auto& task : job.tasks) {
    MailEvent base;
    base.job_id = job.id;
    base.task_id = task.task_id;
    base.array_task = job.array.has_value();
    base.job_name = job.name;
    base.user = job.owner;
    base.queue = !job.details.queue.empty() ? job.details.queue : "task";
    base.host = ran(task) ? job.node : "";
    base.start_time = task.start_time;
    base.end_time = task.end_time;
    base.signal = task.signal;
    auto wanted = [&](MailEventKind kind) {
      MailEvent probe = base;
      probe.kind = kind;
      return letters.find(mail::letter_of(kind)) != std::string::npos &&
             !job.mail_sent.contains(mail_mark(probe));
    };

    if (ran(task) && wanted(MailEventKind::Begin)) {
      MailEvent event = base;
      event.kind = MailEventKind::Begin;
      events.push_back(std::move(event));
    }
    MailEvent ending = base;
    const int status = task.exit_code ? *task.exit_code : 128 + task.signal.value_or(kKill);
    switch (task.phase) {
      case TaskPhase::Exited:
      case TaskPhase::Signaled:
        if (task.delete_requested) {
          ending.kind = MailEventKind::Abort;
          ending.exit_status = status;
          ending.failed_reason = "100 : assumedly after job";
          ending.failed_text = task_name(job, task) + " was deleted (qdel) before it finished";
        } else if (killed_at_time_limit(task, time_limit_seconds)) {
          ending.kind = MailEventKind::Abort;
          ending.exit_status = status;
          ending.failed_reason = "100 : assumedly after job";
          ending.failed_text =
              task_name(job, task) + " exceeded its run time limit (h_rt): killed after " +
              mail::ge_duration(std::chrono::seconds(static_cast<long long>(*time_limit_seconds)));
        } else {
          ending.kind = MailEventKind::End;
          ending.exit_status = status;
        }
        break;
      case TaskPhase::Error:
        ending.kind = MailEventKind::Abort;
        ending.failed_reason = "before job";
        ending.failed_text =
            "job " + std::to_string(job.id) + " failed: " +
            (task.error_reason.empty() ? "it could not be started" : task.error_reason);
        break;
      case TaskPhase::Deleted:
        ending.kind = MailEventKind::Abort;
        ending.exit_status = 128 + kKill;
        ending.signal = kKill;
        ending.failed_reason = "before job";
        ending.failed_text = task_name(job, task) + " was deleted (qdel) before it finished";
        break;
      case TaskPhase::Lost:
        ending.kind = MailEventKind::Abort;
        ending.failed_reason = "100 : assumedly after job";
        ending.failed_text = "job " + std::to_string(job.id) + " failed: " + task.error_reason;
        break;
      case TaskPhase::Pending:
      case TaskPhase::Running:
        continue;
    }
    if (wanted(ending.kind)) events.push_back(std::move(ending));
  }
  return events;
}

std::vector<std::string> local_mail_recipients(const LocalJob& job, int max_recipients) {
  std::vector<std::string> recipients;
  std::string_view list = job.details.mail_list;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string word(trim(list.substr(start, comma - start)));
    start = comma + 1;
    if (!mail::plausible_address(word) && !local_user_name(word)) continue;
    if (std::find(recipients.begin(), recipients.end(), word) != recipients.end()) continue;
    if (static_cast<int>(recipients.size()) >= max_recipients) break;
    recipients.push_back(word);
  }
  // No -M (qsub's default): Grid Engine mailed the job's owner on the submit host.
  if (recipients.empty() && list.empty() && local_user_name(job.owner)) {
    recipients.push_back(job.owner);
  }
  return recipients;
}

MailNotifier::MailNotifier(LocalMailSettings settings,
                           std::optional<std::uint64_t> time_limit_seconds,
                           std::unique_ptr<mail::MailSender> sender)
    : settings_(std::move(settings)),
      time_limit_seconds_(time_limit_seconds),
      sender_(std::move(sender)) {}

void MailNotifier::notify(StateStore& store, long long id,
                          std::chrono::system_clock::time_point now) {
  const auto job = store.read(id);
  if (!job) return;
  const auto events = decide_local_mail_events(*job, time_limit_seconds_);
  if (events.empty()) return;
  const auto recipients = local_mail_recipients(*job, settings_.max_recipients);
  for (const auto& event : events) {
    mail::BatchMail text =
        mail::compose_batch({mail::EventText{mail::ge_subject(event), mail::ge_body(event)}});
    for (const auto& recipient : recipients) {
      mail::Envelope envelope;
      envelope.from = settings_.from;
      envelope.to = recipient;
      envelope.date = now;
      envelope.message_id = message_id(settings_.from, *job, event, recipient, now);
      auto sent = sender_->send(recipient, mail::render_message(envelope, text));
      if (!sent) {
        log_line(store, id,
                 "mail \"" + text.subject + "\" to " + recipient + " not sent: " + sent.error());
      }
    }
    if (recipients.empty()) {
      log_line(store, id, "mail \"" + text.subject + "\" not sent: no usable recipient in -M");
    }
    // Marked whatever came of it: an event is tried once.
    const std::string mark = mail_mark(event);
    (void)store.update(id, [&](LocalJob& stored) { return stored.mail_sent.insert(mark).second; });
  }
}

std::unique_ptr<MailNotifier> sendmail_notifier(const std::optional<LocalMailSettings>& settings,
                                                std::optional<std::uint64_t> time_limit_seconds) {
  if (!settings) return nullptr;
  mail::SendmailSettings sendmail;
  sendmail.program = settings->sendmail;
  sendmail.from = settings->from;
  sendmail.environment = settings->environment;
  sendmail.timeout = kSendmailTimeout;
  return std::make_unique<MailNotifier>(*settings, time_limit_seconds,
                                        std::make_unique<mail::SendmailSender>(sendmail));
}

}  // namespace k8sjobs::local
