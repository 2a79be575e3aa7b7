#pragma once
// Parses the body of a LIST answer into JSON, keeping of each item only the fields asked for
// (see ItemFields). KubeClient::list_pages calls parse_list_body; there are two readers:
//
// - parse_list_body_simdjson reads the text about ten times faster (a page of 500 Pods is
//   several MB of which qstat reads a tenth), but loads libsimdjson and, with it, the shared
//   libstdc++ at every start;
// - parse_list_body_nlohmann uses only nlohmann's parser, which the library uses anyway.
//
// Which one parse_list_body forwards to is chosen when a program is linked: the library's own
// definition (src/kube/list_reader_default.cpp) is simdjson's; a program that lists little and
// must start fast (jsub, jstart, qcronsub: see bench/jsub_submit.sh) links the object library
// k8sjobs_list_reader_nlohmann, whose definition the linker then takes instead of pulling the
// library's one from the archive.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/kube/client.h"

namespace k8sjobs::kube::detail {

// Each: nullopt when the body is not JSON. Empties `body` once it is parsed, before the values
// are built, so that a page's text and its values are not held at once (release_text()).
std::optional<nlohmann::json> parse_list_body(std::string& body, const ItemFields& fields);
std::optional<nlohmann::json> parse_list_body_simdjson(std::string& body, const ItemFields& fields);
std::optional<nlohmann::json> parse_list_body_nlohmann(std::string& body, const ItemFields& fields);

// Parses one batch of ListBodyReader ({"items":[...]}) and appends its items to `items`; false
// when it is not JSON or not such a batch. Empties `batch`, keeping its buffer.
bool append_batch_items(std::string& batch, const ItemFields& fields,
                        std::vector<nlohmann::json>& items);

// Empties a parsed text. A page's buffer is freed; one of at most kKeptTextCapacity bytes is
// kept for the next text (ListBodyReader's batches), since freeing and allocating it for every
// batch made malloc sweep all the small blocks the values had just freed, each time.
inline constexpr std::size_t kKeptTextCapacity = std::size_t{256} << 10;
inline void release_text(std::string& text) {
  if (text.capacity() > kKeptTextCapacity) {
    std::string().swap(text);
  } else {
    text.clear();
  }
}

// Reads a LIST body as it arrives (KubeClient::list_pages with ItemFields), so that a page of
// real-sized objects is never held whole: a kube-apiserver page of 500 Jobs or Pods is 4-10 MB
// of text (half of it managedFields), and parsing it whole held the text and a parsed document
// of several times its size at once, on top of the values kept.
//
// A body up to `whole_limit` bytes is kept and parsed whole by parse_list_body, as before.
// Past that, the items array is cut between items into batches of about `batch_bytes`, each
// parsed by parse_list_body as soon as it is complete ({"items":[...]}: the same reader, the
// same fields kept), while the rest of the list (kind, metadata...) is kept as text and parsed
// at the end. Every byte still goes through a JSON parser: the cutting only finds where items
// end (strings, escapes and nesting), and the pieces are valid exactly when the whole is.
// Anything this reader does not follow (a body that ends early, a top-level value that is no
// object, bytes after it) makes finish() ask for the page to be read again whole, so those
// bodies get exactly the answers parse_list_body gives.
//
// With a `sink`, each batch's text goes to the sink instead of being parsed here (KubeClient's
// pipelined walk parses it on another thread, append_batch_items), and finish() answers the
// list without the items of the batches sunk. A body that gives two item arrays (or an
// "items" key after the batches of one) then asks to be read whole: what was sunk cannot be
// taken back.
class ListBodyReader {
 public:
  // Takes the batch's text, and leaves `batch` empty: with a buffer to reuse, if it has one.
  using BatchSink = std::function<void(std::string& batch)>;

  static constexpr std::size_t kWholeLimit = std::size_t{1} << 20;
  // Small enough that a batch's text stays below malloc's mmap threshold (128 KiB): the same
  // heap memory serves batch after batch, with no fresh pages to fault in.
  static constexpr std::size_t kBatchBytes = std::size_t{64} << 10;

  explicit ListBodyReader(const ItemFields& fields, std::size_t whole_limit = kWholeLimit,
                          std::size_t batch_bytes = kBatchBytes, BatchSink sink = nullptr);
  // Forgets everything fed: a new attempt at the same page.
  void start();
  void feed(std::string_view data);
  // A batch went to the sink since start().
  bool sunk() const { return sunk_; }
  // After the last bytes: the list as parse_list_body gives it, or nullopt. When `read_whole`
  // comes back true, nothing was decided: read the body again and parse it whole.
  std::optional<nlohmann::json> finish(bool& read_whole);

 private:
  void split(const char* data, std::size_t size);
  void flush_batch();
  void end_element_run();
  void fail() { failed_ = true; }
  // The list's "items" key starts a value: what an earlier one gave is dropped.
  void restart_items();

  const ItemFields& fields_;
  const std::size_t whole_limit_;
  const std::size_t batch_bytes_;
  const BatchSink sink_;
  bool sunk_ = false;
  std::string whole_;  // the body while it is no longer than whole_limit_
  bool streaming_ = false;
  bool failed_ = false;   // read_whole: this reader cannot decide
  bool invalid_ = false;  // a batch was not JSON: the body is not
  // The splitter.
  std::size_t depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  bool ended_ = false;            // the top-level object closed
  bool expect_key_ = false;       // depth 1, after '{' or ','
  bool reading_key_ = false;      // inside a key at depth 1
  bool expect_value_ = false;     // depth 1, after ':'
  bool key_is_items_ = false;     // the value being read belongs to an "items" key
  std::string key_;               // the depth-1 key being read, as written
  bool in_items_ = false;         // inside the items array
  bool items_are_array_ = false;  // the last "items" key held an array: items_ is the answer
  bool after_cut_ = false;        // a batch ended at the comma before this batch's first item
  std::string envelope_;          // the list without the items array's contents
  std::string batch_;             // {"items":[ and the items of the batch being read
  std::vector<nlohmann::json> items_;
};

}  // namespace k8sjobs::kube::detail
