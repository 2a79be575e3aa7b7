// SPDX-License-Identifier: Apache-2.0
#pragma once
// Hands one rendered message to the site's SMTP relay with libcurl (smtp:// or smtps://,
// STARTTLS as configured, AUTH when a user name is set). Success means the relay accepted it
// (250 after DATA): only then may the caller forget the mail.

#include <chrono>
#include <string>

#include "k8sjobs/expected.h"
#include "k8sjobs/mail/mail_sender.h"
#include "k8sjobs/site/site_config.h"

namespace k8sjobs::mail {

struct SmtpSettings {
  std::string relay;  // smtp://host:port or smtps://host:port
  std::string from;
  site::MailSettings::StartTls starttls = site::MailSettings::StartTls::Try;
  std::string username;
  std::string password;
  std::chrono::seconds timeout{30};
};

// The settings of the site configuration; the password read from its file (an error names it).
Expected<SmtpSettings, std::string> smtp_settings_from(const site::MailSettings& mail);

class SmtpSender : public MailSender {
 public:
  explicit SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) {}
  Expected<std::string, std::string> send(const std::string& recipient,
                                          const std::string& message) override;

 private:
  SmtpSettings settings_;
};

}  // namespace k8sjobs::mail
