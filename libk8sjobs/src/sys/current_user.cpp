// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/sys/current_user.h"

#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace k8sjobs::sys {

std::optional<std::string> password_user_name(unsigned uid) {
  const long suggested = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(suggested > 0 ? static_cast<std::size_t>(suggested) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(static_cast<uid_t>(uid), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr || found->pw_name == nullptr) {
    return std::nullopt;
  }
  return std::string(found->pw_name);
}

std::string current_user(const Environment& environment, unsigned effective_uid,
                         const UserNameLookup& name_of) {
  auto given = [&](const char* name) -> std::optional<std::string> {
    auto value = environment.get(name);
    if (value && !value->empty()) return value;
    return std::nullopt;
  };
  if (auto user = given("K8SJOBS_USER")) return *user;
  if (auto user = name_of(effective_uid); user && !user->empty()) return *user;
  if (auto user = given("USER")) return *user;
  if (auto user = given("LOGNAME")) return *user;
  return std::to_string(effective_uid);
}

std::string current_user(const Environment& environment) {
  return current_user(environment, static_cast<unsigned>(::geteuid()), password_user_name);
}

}  // namespace k8sjobs::sys
