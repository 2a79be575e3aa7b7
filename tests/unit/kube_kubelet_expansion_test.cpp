// SPDX-License-Identifier: Apache-2.0
// The kubelet's `$(NAME)` / `$$` expansion of container words, and the escape that makes any
// word survive it.
#include "k8sjobs/kube/kubelet_expansion.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace k8sjobs::kube {
namespace {

std::optional<std::string> defined(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> kVariables = {
      {"HOME", "/data/project/alice"}, {"JOB_ID", "4711"}, {"EMPTY", ""}};
  auto found = kVariables.find(name);
  if (found == kVariables.end()) return std::nullopt;
  return found->second;
}

std::string expand(std::string_view text) {
  return expand_kubelet_references(text, defined);
}

TEST(KubeletExpansion, ExpandsAsTheKubeletDoes) {
  // Cases from Kubernetes' own expansion tests (third_party/forked/golang/expansion).
  EXPECT_EQ(expand("$(HOME)"), "/data/project/alice");
  EXPECT_EQ(expand("id=$(JOB_ID)."), "id=4711.");
  EXPECT_EQ(expand("$(EMPTY)x"), "x");
  EXPECT_EQ(expand("$(NOPE)"), "$(NOPE)");
  EXPECT_EQ(expand("$$(HOME)"), "$(HOME)");
  EXPECT_EQ(expand("$$$(HOME)"), "$/data/project/alice");
  EXPECT_EQ(expand("$$"), "$");
  EXPECT_EQ(expand("$$$$"), "$$");
  EXPECT_EQ(expand("$"), "$");
  EXPECT_EQ(expand("a$"), "a$");
  EXPECT_EQ(expand("$HOME"), "$HOME");
  EXPECT_EQ(expand("$@ $? $1"), "$@ $? $1");
  EXPECT_EQ(expand("$("), "$(");
  EXPECT_EQ(expand("$(HOME"), "$(HOME");
  EXPECT_EQ(expand("$($(HOME))"), "$($(HOME))");
  EXPECT_EQ(expand("$(HOME)$(JOB_ID)"), "/data/project/alice4711");
  EXPECT_EQ(expand("\xff$(JOB_ID)\xfe"),
            "\xff"
            "4711\xfe");
}

TEST(KubeletExpansion, AnEscapedWordReachesTheContainerUnchanged) {
  std::string every_byte;
  for (int byte = 1; byte <= 255; ++byte) every_byte.push_back(static_cast<char>(byte));
  for (const std::string& word : std::vector<std::string>{
           "", "$", "$$", "$(HOME)", "$$(HOME)", "$(", "a$b$(NOPE)$", "awk '{print $1}'",
           "kill -9 $$", "echo $(date) ${HOME} $((1+2))", every_byte}) {
    const std::string escaped = escape_kubelet_references(word);
    EXPECT_EQ(expand(escaped), word) << word;
  }
  EXPECT_EQ(escape_kubelet_references("a$(HOME)$"), "a$$(HOME)$$");
  EXPECT_EQ(escape_kubelet_references("no dollar"), "no dollar");
}

}  // namespace
}  // namespace k8sjobs::kube
