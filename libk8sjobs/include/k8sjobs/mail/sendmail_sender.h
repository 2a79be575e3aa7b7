// SPDX-License-Identifier: Apache-2.0
#pragma once
// Hands one rendered message to the host's sendmail(8) program, the way local mail tools do
// (the local backend's -m mail; k8sjobs-controller uses an SMTP relay instead):
//   <program> -i [-f <from>] -- <recipient>
// run directly (posix_spawn, never through a shell), the message on its standard input with
// local line ends (LF), its environment exactly the one given. Exit status 0 means the program
// accepted the message (sendmail(8): queued for delivery); any other status, a program that
// cannot be started, or one still running at the timeout (then its process group is killed) is
// an error value naming the program and what it said first.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "k8sjobs/expected.h"
#include "k8sjobs/mail/mail_sender.h"

namespace k8sjobs::mail {

struct SendmailSettings {
  std::string program = "/usr/sbin/sendmail";
  std::string from;  // the envelope sender (-f); empty: none given, the program's default
  std::vector<std::pair<std::string, std::string>> environment;
  std::chrono::milliseconds timeout{30000};
};

class SendmailSender : public MailSender {
 public:
  explicit SendmailSender(SendmailSettings settings) : settings_(std::move(settings)) {}
  Expected<std::string, std::string> send(const std::string& recipient,
                                          const std::string& message) override;

 private:
  SendmailSettings settings_;
};

// Why `program` cannot be run as sendmail ("/usr/sbin/sendmail not found", "... is not
// executable"), or "" when it can.
std::string sendmail_unusable(const std::string& program);

}  // namespace k8sjobs::mail
