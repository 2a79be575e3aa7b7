// SPDX-License-Identifier: Apache-2.0
#pragma once
// Whatever hands a rendered mail on: the site's SMTP relay for k8sjobs-controller
// (mail/smtp_sender.h), the host's sendmail(8) for the local backend (mail/sendmail_sender.h),
// a recorder in tests.

#include <string>

#include "k8sjobs/expected.h"

namespace k8sjobs::mail {

class MailSender {
 public:
  virtual ~MailSender() = default;
  // Sends `message` (RFC 5322, CRLF) to `recipient`. Success: the relay or program accepted it
  // (a short description); the error is one printable line.
  virtual Expected<std::string, std::string> send(const std::string& recipient,
                                                  const std::string& message) = 0;
};

}  // namespace k8sjobs::mail
