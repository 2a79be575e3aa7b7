// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/mail/mail_event.h"

#include <array>
#include <cstdio>
#include <ctime>

namespace k8sjobs::mail {

namespace {

// A job name from the cluster in a header or body line: no control characters.
std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  return out;
}

std::string job_phrase(const MailEvent& event) {
  std::string name = " (" + printable(event.job_name) + ")";
  if (event.array_task)
    return "Job-array task " + std::to_string(event.job_id) + "." + std::to_string(event.task_id) +
           name;
  return "Job " + std::to_string(event.job_id) + name;
}

const char* verb(MailEventKind kind) {
  switch (kind) {
    case MailEventKind::Begin:
      return "Started";
    case MailEventKind::End:
      return "Complete";
    case MailEventKind::Abort:
      return "Aborted";
  }
  return "Complete";
}

std::string time_or(const std::optional<TimePoint>& time, const std::optional<TimePoint>& other) {
  if (time) return ge_mail_time(*time);
  if (other) return ge_mail_time(*other);
  return ge_mail_time(TimePoint{});
}

std::chrono::seconds wallclock(const MailEvent& event) {
  if (!event.start_time || !event.end_time || *event.end_time < *event.start_time)
    return std::chrono::seconds(0);
  return std::chrono::duration_cast<std::chrono::seconds>(*event.end_time - *event.start_time);
}

}  // namespace

std::string requested_letters(const std::string& mail_options) {
  std::string letters;
  for (char c : mail_options) {
    if ((c == 'b' || c == 'e' || c == 'a') && letters.find(c) == std::string::npos) letters += c;
  }
  return letters;
}

char letter_of(MailEventKind kind) {
  switch (kind) {
    case MailEventKind::Begin:
      return 'b';
    case MailEventKind::End:
      return 'e';
    case MailEventKind::Abort:
      return 'a';
  }
  return 'e';
}

std::string ge_mail_time(TimePoint time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%m/%d/%Y %H:%M:%S", &utc);
  return text;
}

std::string ge_duration(std::chrono::seconds seconds) {
  long long total = seconds.count() < 0 ? 0 : seconds.count();
  char text[48];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", total / 3600, (total / 60) % 60,
                total % 60);
  return text;
}

std::string ge_memory(long long bytes) {
  if (bytes <= 0) return "0.000";
  static constexpr std::array<char, 5> kUnits{'K', 'M', 'G', 'T', 'P'};
  double value = static_cast<double>(bytes);
  char text[48];
  if (value < 1024.0) {
    std::snprintf(text, sizeof text, "%.3f", value);
    return text;
  }
  std::size_t unit = 0;
  value /= 1024.0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  std::snprintf(text, sizeof text, "%.3f%c", value, kUnits[unit]);
  return text;
}

std::string ge_signal_name(int signal) {
  switch (signal) {
    case 1:
      return "HUP";
    case 2:
      return "INT";
    case 3:
      return "QUIT";
    case 6:
      return "ABRT";
    case 9:
      return "KILL";
    case 11:
      return "SEGV";
    case 13:
      return "PIPE";
    case 14:
      return "ALRM";
    case 15:
      return "TERM";
    case 24:
      return "XCPU";
    case 25:
      return "XFSZ";
    default:
      return std::to_string(signal);
  }
}

std::string ge_subject(const MailEvent& event) {
  return job_phrase(event) + " " + verb(event.kind);
}

std::string ge_body(const MailEvent& event) {
  const std::string user = printable(event.user);
  const std::string host = printable(event.host);
  const std::string cpu = ge_duration(event.cpu_time.value_or(std::chrono::seconds(0)));
  const std::string vmem = ge_memory(event.max_vmem_bytes.value_or(0));
  const std::string start = time_or(event.start_time, event.end_time);
  const std::string end = time_or(event.end_time, event.start_time);
  std::string queue = printable(event.queue);
  if (event.kind != MailEventKind::Begin && !host.empty()) queue += "@" + host;
  std::string body = ge_subject(event) + "\n";
  switch (event.kind) {
    case MailEventKind::Begin:
      body += " User       = " + user + "\n";
      body += " Queue      = " + queue + "\n";
      body += " Host       = " + host + "\n";
      body += " Start Time = " + start + "\n";
      break;
    case MailEventKind::End:
      body += " User             = " + user + "\n";
      body += " Queue            = " + queue + "\n";
      body += " Host             = " + host + "\n";
      body += " Start Time       = " + start + "\n";
      body += " End Time         = " + end + "\n";
      body += " User Time        = 00:00:00\n";
      body += " System Time      = 00:00:00\n";
      body += " Wallclock Time   = " + ge_duration(wallclock(event)) + "\n";
      body += " CPU              = " + cpu + "\n";
      body += " Max vmem         = " + vmem + "\n";
      body += " Exit Status      = " + std::to_string(event.exit_status);
      break;
    case MailEventKind::Abort:
      body += " Exit Status      = " + std::to_string(event.exit_status) + "\n";
      body += " Signal           = " + (event.signal ? ge_signal_name(*event.signal) : "") + "\n";
      body += " User             = " + user + "\n";
      body += " Queue            = " + queue + "\n";
      body += " Host             = " + host + "\n";
      body += " Start Time       = " + start + "\n";
      body += " End Time         = " + end + "\n";
      body += " CPU              = " + cpu + "\n";
      body += " Max vmem         = " + vmem + "\n";
      body +=
          "failed " + printable(event.failed_reason) + " because:\n" + printable(event.failed_text);
      break;
  }
  return body;
}

}  // namespace k8sjobs::mail
