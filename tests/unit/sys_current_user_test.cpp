// SPDX-License-Identifier: Apache-2.0
// Who the user is, decided in one place: the order of the sources and that every command's
// view of the user (jsub's request.user through the host view, qstat's and qdel's context)
// comes from it.
#include "k8sjobs/sys/current_user.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "k8sjobs/ge/host_view.h"
#include "k8sjobs/sys/clock.h"

namespace k8sjobs::sys {
namespace {

std::optional<std::string> alice_is_1000(unsigned uid) {
  if (uid == 1000) return std::string("alice");
  return std::nullopt;
}

TEST(CurrentUser, OverrideThenPasswordDatabaseThenEnvironmentThenUid) {
  Environment env(std::map<std::string, std::string>{
      {"K8SJOBS_USER", "tools.bot"}, {"USER", "bob"}, {"LOGNAME", "carol"}});
  EXPECT_EQ(current_user(env, 1000, alice_is_1000), "tools.bot");
  env.set("K8SJOBS_USER", "");  // empty counts as unset, everywhere
  EXPECT_EQ(current_user(env, 1000, alice_is_1000), "alice");
  EXPECT_EQ(current_user(env, 4242, alice_is_1000), "bob");
  env.unset("USER");
  EXPECT_EQ(current_user(env, 4242, alice_is_1000), "carol");
  env.set("LOGNAME", "");
  EXPECT_EQ(current_user(env, 4242, alice_is_1000), "4242");
}

TEST(CurrentUser, TheRealOneIsThePasswordEntryOfTheEffectiveUid) {
  Environment env(std::map<std::string, std::string>{{"USER", "somebody-else"}});
  auto name = password_user_name(static_cast<unsigned>(::geteuid()));
  EXPECT_EQ(current_user(env), name ? *name : std::string("somebody-else"));
}

TEST(CurrentUser, SubmitParsingSeesTheSameUser) {
  SystemClock clock;
  for (const char* override_value : {"", "tools.x"}) {
    Environment env(std::map<std::string, std::string>{{"K8SJOBS_USER", override_value},
                                                       {"USER", "somebody-else"}});
    auto host = ge::make_system_host_view(env, clock);
    EXPECT_EQ(host->user(), current_user(env)) << override_value;
  }
}

}  // namespace
}  // namespace k8sjobs::sys
