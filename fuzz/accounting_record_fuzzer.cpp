// SPDX-License-Identifier: Apache-2.0
// The accounting record codec (acct/accounting_record.h) over any bytes: what a user can put in
// an accounting shard or the local backend's accounting file. Checks that a record read back is
// within the codec's bounds, and that writing it and reading it again gives the same record;
// then the controller's shard filling over a data object holding the input.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "k8sjobs/acct/accounting_record.h"
#include "k8sjobs/acct/accounting_shards.h"
#include "k8sjobs/controller/accounting_decision.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto record = k8sjobs::acct::decode_record(text);
  if (!record) {
    FUZZ_CHECK(!record.error().empty());
    return 0;
  }
  FUZZ_CHECK(!record->key.empty() && record->key.size() <= k8sjobs::acct::kMaxFieldBytes);
  FUZZ_CHECK(record->jobnumber >= 1);
  FUZZ_CHECK(!record->owner.empty());
  const auto again = k8sjobs::acct::decode_record(k8sjobs::acct::encode_record(*record));
  FUZZ_CHECK(again.has_value());
  // Text that is not UTF-8 is written as U+FFFD, so compare what that cannot change.
  FUZZ_CHECK(again->jobnumber == record->jobnumber && again->taskid == record->taskid &&
             again->exit_status == record->exit_status && again->end_time == record->end_time);
  const std::string key = k8sjobs::acct::data_key(record->key);
  FUZZ_CHECK(!key.empty() && key.size() <= 253);
  const nlohmann::json shard = {{key, std::string(text)}};
  const auto fill = k8sjobs::controller::fill_shard(shard, {*record, *record});
  FUZZ_CHECK(fill.added.empty() && fill.already == 2);
  return 0;
}
