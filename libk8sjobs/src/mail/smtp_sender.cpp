// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/mail/smtp_sender.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

namespace k8sjobs::mail {

namespace {

struct Reader {
  const std::string* text;
  std::size_t offset = 0;
};

extern "C" std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* reader = static_cast<Reader*>(user);
  const std::size_t room = size * count;
  const std::size_t left = reader->text->size() - reader->offset;
  const std::size_t n = left < room ? left : room;
  std::memcpy(buffer, reader->text->data() + reader->offset, n);
  reader->offset += n;
  return n;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

Expected<SmtpSettings, std::string> smtp_settings_from(const site::MailSettings& mail) {
  SmtpSettings settings;
  settings.relay = mail.relay;
  settings.from = mail.from_address();
  settings.starttls = mail.starttls;
  settings.username = mail.username;
  if (!mail.password_file.empty()) {
    std::ifstream in(mail.password_file);
    if (!in) {
      return unexpected("cannot read mail.password_file " + mail.password_file.string() + ": " +
                        std::strerror(errno));
    }
    std::getline(in, settings.password);
    if (settings.password.ends_with('\r')) settings.password.pop_back();
  }
  return settings;
}

Expected<std::string, std::string> SmtpSender::send(const std::string& recipient,
                                                    const std::string& message) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return unexpected(std::string("cannot start libcurl"));
  CURL* handle = curl.get();
  std::unique_ptr<curl_slist, ListDeleter> recipients(
      curl_slist_append(nullptr, recipient.c_str()));
  Reader reader{&message};
  char error[CURL_ERROR_SIZE] = {0};
  const std::string from = "<" + settings_.from + ">";
  curl_easy_setopt(handle, CURLOPT_URL, settings_.relay.c_str());
  curl_easy_setopt(handle, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(handle, CURLOPT_READFUNCTION, read_message);
  curl_easy_setopt(handle, CURLOPT_READDATA, &reader);
  curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, static_cast<long>(settings_.timeout.count()));
  if (!settings_.relay.starts_with("smtps://")) {
    switch (settings_.starttls) {
      case site::MailSettings::StartTls::Never:
        curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE));
        break;
      case site::MailSettings::StartTls::Try:
        curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
        break;
      case site::MailSettings::StartTls::Always:
        curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        break;
    }
  }
  if (!settings_.username.empty()) {
    curl_easy_setopt(handle, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    std::string text = error[0] != 0 ? error : curl_easy_strerror(code);
    for (char& c : text)
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return unexpected(settings_.relay + ": " + text);
  }
  return std::string("accepted");
}

}  // namespace k8sjobs::mail
