// SPDX-License-Identifier: Apache-2.0
// The site configuration reader (site/site_config.h) over any text: /etc/k8sjobs/config.yaml.
// What parses answers every question the commands ask of it; what does not says where. The
// same bytes are also read as a memory and as a CPU quantity: a quantity that parses is
// formatted back to the same amount.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "k8sjobs/site/site_config.h"

namespace {

void check_quantities(const std::string& text) {
  if (const auto bytes = k8sjobs::site::parse_memory_quantity(text)) {
    FUZZ_CHECK(*bytes >= 0);
    const auto again =
        k8sjobs::site::parse_memory_quantity(k8sjobs::site::format_memory_quantity(*bytes));
    FUZZ_CHECK(again && *again == *bytes);
  } else {
    FUZZ_CHECK(!bytes.error().empty());
  }
  if (const auto millis = k8sjobs::site::parse_cpu_quantity(text)) {
    FUZZ_CHECK(*millis >= 0);
    const auto again =
        k8sjobs::site::parse_cpu_quantity(k8sjobs::site::format_cpu_quantity(*millis));
    FUZZ_CHECK(again && *again == *millis);
  } else {
    FUZZ_CHECK(!millis.error().empty());
  }
}

void use(const k8sjobs::site::SiteConfig& config) {
  for (const char* user : {"tools.alice", "alice", "", "tools."}) {
    (void)config.tool_name(user);
    (void)config.namespace_for(user);
    (void)config.home_for(user);
    (void)config.default_mail_address(user);
  }
  for (const auto& release : config.known_releases()) FUZZ_CHECK(config.image_for(release));
  (void)config.image_for(config.images.default_release);
  (void)config.describe_source();
  (void)k8sjobs::site::format_memory_quantity(config.resources.default_memory_bytes);
  (void)k8sjobs::site::format_cpu_quantity(config.resources.default_cpu_millis);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto config = k8sjobs::site::parse_site_config(text, "fuzz.yaml");
  if (config) {
    use(*config);
  } else {
    FUZZ_CHECK(!config.error().message.empty());
  }
  if (size <= 64) check_quantities(text);
  return 0;
}
