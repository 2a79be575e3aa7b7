// SPDX-License-Identifier: Apache-2.0
#pragma once
// One Grid Engine mail event (-m b, e, a) of one job task and its text exactly as Son of Grid
// Engine 8.1.9's execd wrote it (subject and body). Pure: the controller builds events from
// JobRecords (controller/mail_decision.h), the outbox stores their text.
//
// Values the cluster does not tell are Grid Engine's zero forms: User Time, System Time and CPU
// "00:00:00" when unknown, Max vmem "0.000", a time never reached the end time itself.

#include <chrono>
#include <optional>
#include <string>

namespace k8sjobs::mail {

using TimePoint = std::chrono::system_clock::time_point;

enum class MailEventKind { Begin, End, Abort };
char letter_of(MailEventKind kind);  // 'b', 'e', 'a'
// The -m letters that ask for a mail ("bea" in order of first appearance; "" for none: no -m,
// "n", or only letters that send nothing), the one reading of -m for both backends.
std::string requested_letters(const std::string& mail_options);

struct MailEvent {
  MailEventKind kind = MailEventKind::End;
  long long job_id = 0;
  int task_id = 0;  // 0 unless an array task
  bool array_task = false;
  std::string job_name;
  std::string user;
  std::string queue;  // "task" or "continuous", as qstat shows it
  std::string host;   // the node; "" when it never ran
  std::optional<TimePoint> start_time;
  std::optional<TimePoint> end_time;
  int exit_status = 0;
  std::optional<int> signal;
  std::optional<std::chrono::seconds> cpu_time;
  std::optional<long long> max_vmem_bytes;
  std::string failed_reason;  // Abort: what follows "failed "
  std::string failed_text;    // Abort: the line after "because:"
};

// "Job 8968283 (myscript.sh) Started"; "Job-array task 5.2 (x) Complete"; ... Control
// characters of the job's name are replaced (the subject is a header).
std::string ge_subject(const MailEvent& event);
// The body Grid Engine sent with that subject (no trailing newline after the last line of an
// end or abort mail, as Grid Engine's).
std::string ge_body(const MailEvent& event);

// MM/DD/YYYY HH:MM:SS in UTC (the controller runs with TZ=UTC).
std::string ge_mail_time(TimePoint time);
// HH:MM:SS, hours not wrapped: 00:00:01, 100:00:00.
std::string ge_duration(std::chrono::seconds seconds);
// Grid Engine's memory figure: 5.410M, 1.000G, 0.000.
std::string ge_memory(long long bytes);
// Signal name as Grid Engine printed it: 9 → "KILL", unknown → the number.
std::string ge_signal_name(int signal);

}  // namespace k8sjobs::mail
