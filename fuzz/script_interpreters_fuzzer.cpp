// SPDX-License-Identifier: Apache-2.0
// What jsub reads from a script it submits (translate/script_interpreters.h) and the image
// choice built on it (translate/image_choice.h), over any bytes: the start of a user's file.
// Checks that a #! interpreter is one basename, that the interpreters a script calls are
// interpreter words, each once, and that the choice under the built-in rules gives an image or
// a refusal, never nothing.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "k8sjobs/site/site_config.h"
#include "k8sjobs/translate/image_choice.h"
#include "k8sjobs/translate/script_interpreters.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string script(reinterpret_cast<const char*>(data), size);
  using namespace k8sjobs::translate;

  if (const auto interpreter = shebang_interpreter(script)) {
    FUZZ_CHECK(!interpreter->empty());
    FUZZ_CHECK(interpreter->find('/') == std::string::npos);
    FUZZ_CHECK(interpreter->find_first_of(" \t\n") == std::string::npos);
  }

  static const k8sjobs::site::SiteConfig site;
  const std::vector<std::string> known = {"php", "python3", "node"};
  const auto called = interpreters_called(script, known);
  for (std::size_t i = 0; i < called.size(); ++i) {
    FUZZ_CHECK(is_interpreter_word(called[i], known));
    FUZZ_CHECK(std::count(called.begin(), called.end(), called[i]) == 1);
  }

  ImageQuery query;
  query.program = "/data/project/alice/job";
  query.script = script;
  query.release = site.images.default_release;
  const auto choice = choose_image(query, site.images);
  FUZZ_CHECK(choice);  // nothing a script says can make the built-in rules refuse it
  FUZZ_CHECK(!choice->image.empty());
  FUZZ_CHECK(!choice->rule.empty());
  return 0;
}
