// SPDX-License-Identifier: Apache-2.0
// ListBodyReader (k8sjobs/kube/list_body_parser.h): a LIST body read as it arrives, its items
// parsed in batches by parse_list_body, never the whole page at once.
#include <bit>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "k8sjobs/kube/list_body_parser.h"

namespace k8sjobs::kube::detail {

using nlohmann::json;

namespace {

constexpr std::string_view kBatchStart = "{\"items\":[";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// A batch holds an item, not just the separators around one.
bool has_item(const std::string& batch) {
  for (size_t i = kBatchStart.size(); i < batch.size(); ++i) {
    if (!is_space(batch[i])) return true;
  }
  return false;
}

// A key as written (escapes and all) is "items".
bool is_items_key(const std::string& written) {
  if (written.find('\\') == std::string::npos) return written == "items";
  json key = json::parse("\"" + written + "\"", nullptr, /*allow_exceptions=*/false);
  return key.is_string() && key.get_ref<const std::string&>() == "items";
}

// The first '"' in [from, end), or null. Most strings of an object are short (managedFields
// is keys like "f:name" and half of every object): eight bytes at a time finds their end
// before a call to memchr would have set up; long ones (annotations, messages) go to memchr.
inline const char* find_quote(const char* from, const char* end) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  constexpr std::uint64_t kQuotes = kOnes * static_cast<unsigned char>('"');
  const char* p = from;
  for (int words = 0; words < 4 && end - p >= 8; ++words, p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    const std::uint64_t x = word ^ kQuotes;  // a zero byte where the quote is
    // The lowest high bit marks the first zero byte (higher ones may be borrows).
    const std::uint64_t zeros = (x - kOnes) & ~x & kHighs;
    if (zeros != 0) {
      if constexpr (std::endian::native == std::endian::little) {
        return p + (std::countr_zero(zeros) >> 3);
      } else {
        for (const char* c = p;; ++c) {
          if (*c == '"') return c;
        }
      }
    }
  }
  return static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
}

// Where the quotes, backslashes, opening ({ [) and closing (} ]) brackets of 64 bytes are, a
// bit each.
struct BlockMasks {
  std::uint64_t quote = 0;
  std::uint64_t backslash = 0;
  std::uint64_t open = 0;
  std::uint64_t close = 0;
};

inline BlockMasks masks_of(const char* block) {
  BlockMasks masks;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i open = _mm_set1_epi8('{');  // '[' | 0x20 is '{', ']' | 0x20 is '}'
  const __m128i close = _mm_set1_epi8('}');
  const __m128i lower = _mm_set1_epi8(0x20);
  for (int i = 0; i < 4; ++i) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * i));
    const __m128i folded = _mm_or_si128(bytes, lower);
    auto bits = [&](__m128i equal) {
      return static_cast<std::uint64_t>(static_cast<std::uint16_t>(_mm_movemask_epi8(equal)))
             << (16 * i);
    };
    masks.quote |= bits(_mm_cmpeq_epi8(bytes, quote));
    masks.backslash |= bits(_mm_cmpeq_epi8(bytes, backslash));
    masks.open |= bits(_mm_cmpeq_epi8(folded, open));
    masks.close |= bits(_mm_cmpeq_epi8(folded, close));
  }
#else
  for (int i = 0; i < 64; ++i) {
    const std::uint64_t bit = std::uint64_t{1} << i;
    const char c = block[i];
    if (c == '"') masks.quote |= bit;
    if (c == '\\') masks.backslash |= bit;
    if (c == '{' || c == '[') masks.open |= bit;
    if (c == '}' || c == ']') masks.close |= bit;
  }
#endif
  return masks;
}

// Each bit: the XOR of it and all the lower ones (set from an opening quote up to the byte
// before its closing one).
inline std::uint64_t prefix_xor(std::uint64_t bits) {
  bits ^= bits << 1;
  bits ^= bits << 2;
  bits ^= bits << 4;
  bits ^= bits << 8;
  bits ^= bits << 16;
  bits ^= bits << 32;
  return bits;
}

// The characters escaped by a backslash (every other one after each run), as simdjson finds
// them; `carry`: the block's first character is escaped, and on return, the next block's.
inline std::uint64_t escaped_by_backslash(std::uint64_t backslash, std::uint64_t& carry) {
  backslash &= ~carry;
  const std::uint64_t follows_escape = backslash << 1 | carry;
  constexpr std::uint64_t kEvenBits = 0x5555555555555555ULL;
  const std::uint64_t odd_sequence_starts = backslash & ~kEvenBits & ~follows_escape;
  std::uint64_t sequences_starting_on_even_bits = 0;
  carry = __builtin_add_overflow(odd_sequence_starts, backslash, &sequences_starting_on_even_bits)
              ? 1
              : 0;
  const std::uint64_t invert_mask = sequences_starting_on_even_bits << 1;
  return (kEvenBits ^ invert_mask) & follows_escape;
}

// std::popcount is a libgcc call on baseline x86-64 (no POPCNT): this is inlined.
inline std::size_t count_bits(std::uint64_t bits) {
  bits -= (bits >> 1) & 0x5555555555555555ULL;
  bits = (bits & 0x3333333333333333ULL) + ((bits >> 2) & 0x3333333333333333ULL);
  bits = (bits + (bits >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<std::size_t>((bits * 0x0101010101010101ULL) >> 56);
}

struct BlockState {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;  // in a string, the next character is escaped
};

// Inside an item (depth above 2), 64 bytes at a time: skips whole blocks while the item goes
// on, from outside a string at `from`. Returns the bracket that ends the item (depth back to
// 2), or null with `from` moved past the blocks read and `state` after them. Stops before a
// block with a backslash outside a string: not JSON, and the byte loop decides such text as
// it always did (escapes count only inside strings there).
const char* skip_item_blocks(const char*& from, const char* end, BlockState& state) {
  std::uint64_t in_string = 0;  // all ones when the block starts inside a string
  std::uint64_t carry = 0;
  std::size_t depth = state.depth;
  const char* block = from;
  for (; end - block >= 64; block += 64) {
    const BlockMasks masks = masks_of(block);
    std::uint64_t next_carry = carry;
    const std::uint64_t escaped = escaped_by_backslash(masks.backslash, next_carry);
    const std::uint64_t strings = prefix_xor(masks.quote & ~escaped) ^ in_string;
    if ((masks.backslash & ~strings) != 0) break;  // a backslash outside a string
    const std::uint64_t open = masks.open & ~strings;
    const std::uint64_t close = masks.close & ~strings;
    const std::size_t closes = count_bits(close);
    if (depth > closes + 2) {  // the item cannot end in this block
      depth = depth + count_bits(open) - closes;
    } else {
      for (std::uint64_t brackets = open | close; brackets != 0; brackets &= brackets - 1) {
        const std::uint64_t bit = brackets & (~brackets + 1);
        if ((open & bit) != 0) {
          ++depth;
        } else if (--depth == 2) {
          return block + std::countr_zero(bit);
        }
      }
    }
    in_string = std::uint64_t{0} - (strings >> 63);
    carry = next_carry;
  }
  from = block;
  state.depth = depth;
  state.in_string = in_string != 0;
  state.escaped = state.in_string && carry != 0;
  return nullptr;
}

}  // namespace

bool append_batch_items(std::string& batch, const ItemFields& fields, std::vector<json>& items) {
  auto parsed = parse_list_body(batch, fields);  // empties batch, keeps its buffer
  batch.clear();
  if (!parsed || !parsed->is_object()) return false;
  auto listed = parsed->find("items");
  if (listed == parsed->end() || !listed->is_array()) return false;
  for (auto& item : *listed) items.push_back(std::move(item));
  return true;
}

ListBodyReader::ListBodyReader(const ItemFields& fields, std::size_t whole_limit,
                               std::size_t batch_bytes, BatchSink sink)
    : fields_(fields),
      whole_limit_(whole_limit),
      batch_bytes_(batch_bytes),
      sink_(std::move(sink)) {}

void ListBodyReader::start() {
  std::string().swap(whole_);
  streaming_ = failed_ = sunk_ = false;
  depth_ = 0;
  in_string_ = escape_ = ended_ = false;
  expect_key_ = reading_key_ = expect_value_ = key_is_items_ = false;
  key_.clear();
  in_items_ = items_are_array_ = after_cut_ = false;
  std::string().swap(envelope_);
  std::string().swap(batch_);
  items_.clear();
}

void ListBodyReader::feed(std::string_view data) {
  // Once undecided, the rest is only read to its end (the connection stays usable).
  if (failed_ || data.empty()) return;
  if (!streaming_) {
    if (whole_.size() + data.size() <= whole_limit_) {
      whole_.append(data);
      return;
    }
    streaming_ = true;
    std::string prefix;
    prefix.swap(whole_);
    split(prefix.data(), prefix.size());
  }
  split(data.data(), data.size());
}

void ListBodyReader::flush_batch() {
  batch_ += "]}";
  if (sink_) {
    sunk_ = true;
    sink_(batch_);
    batch_.clear();
    batch_.reserve(batch_bytes_ + batch_bytes_ / 2);
    return;
  }
  if (!append_batch_items(batch_, fields_, items_)) fail();
}

void ListBodyReader::restart_items() {
  if (sunk_) return fail();
  items_.clear();
}

void ListBodyReader::end_element_run() {
  // The batch starts after a cut: the text between that comma and this one must be an item
  // ("[a,,b]" and "[a,]" are not JSON, whatever a batch of their pieces would be).
  if (after_cut_ && !has_item(batch_)) fail();
}

void ListBodyReader::split(const char* data, std::size_t size) {
  const char* const end = data + size;
  const char* span = data;  // the first byte not yet copied to the envelope or the batch
  auto copy_to = [&](std::string& to, const char* until) {
    to.append(span, static_cast<std::size_t>(until - span));
    span = until;
  };
  for (const char* p = data; p < end && !failed_; ++p) {
    const char c = *p;
    if (in_string_) {
      if (escape_) {
        escape_ = false;
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == '"') {
        in_string_ = false;
        reading_key_ = false;
        continue;
      }
      if (reading_key_) key_ += c;
      continue;
    }
    if (depth_ == 0) {
      if (is_space(c)) continue;
      if (ended_ || c != '{') return fail();  // not one JSON object: read whole
      depth_ = 1;
      expect_key_ = true;
      continue;
    }
    if (in_items_ && depth_ > 2) {
      // Inside an item, where nearly all the bytes are: only strings and nesting matter.
      // Whole blocks of 64 bytes first, a bit per byte (the loop below took a third of
      // qstat's time at 10,000 jobs).
      {
        const char* after = p;
        BlockState state;
        state.depth = depth_;
        if (const char* closing = skip_item_blocks(after, end, state)) {
          depth_ = 2;
          p = closing;  // the loop's ++p goes on after the item's last bracket
          continue;
        }
        if (after != p) {
          depth_ = state.depth;
          in_string_ = state.in_string;
          escape_ = state.escaped;
          p = after - 1;
          continue;
        }
      }
      // What is left (less than a block, or a block the blocks cannot decide): the state lives
      // in locals so that the loop runs in registers.
      std::size_t depth = depth_;
      bool open_string = false;
      bool open_escape = false;
      const char* q = p;
      while (q < end) {
        const char d = *q++;
        if (d == '"') {
          for (;;) {  // to the closing quote: a quote after an even run of backslashes
            const char* quote = find_quote(q, end);
            const char* stop = quote != nullptr ? quote : end;
            std::size_t backslashes = 0;
            for (const char* b = stop; b > q && b[-1] == '\\'; --b) ++backslashes;
            if (quote == nullptr) {  // the string goes on in the next chunk
              open_string = true;
              open_escape = backslashes % 2 == 1;
              q = end;
              break;
            }
            q = quote + 1;
            if (backslashes % 2 == 0) break;
          }
          if (open_string) break;
        } else if (d == '{' || d == '[') {
          ++depth;
        } else if ((d == '}' || d == ']') && --depth == 2) {
          break;
        }
      }
      depth_ = depth;
      in_string_ = open_string;
      escape_ = open_escape;
      p = q - 1;  // the loop's ++p goes on from q
      continue;
    }
    if (in_items_) {  // depth 2: between the items
      if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if (c == ']') {
        copy_to(batch_, p);
        end_element_run();
        if (failed_) return;
        flush_batch();
        in_items_ = false;
        depth_ = 1;  // the ']' goes to the envelope, after the '['
      } else if (c == '}') {
        return fail();
      } else if (c == ',' && batch_.size() + static_cast<std::size_t>(p - span) >= batch_bytes_) {
        copy_to(batch_, p);
        if (!has_item(batch_)) return fail();  // "[," or ",,": no item before this comma
        flush_batch();
        if (failed_) return;
        batch_ = kBatchStart;
        after_cut_ = true;
        span = p + 1;  // the comma between two batches belongs to neither
      }
      continue;
    }
    // Depth 1 (the list's own keys) or deeper inside one of their values.
    if (c == '"') {
      in_string_ = true;
      if (depth_ == 1 && expect_key_) {
        expect_key_ = false;
        reading_key_ = true;
        key_.clear();
      } else if (depth_ == 1 && expect_value_) {
        expect_value_ = false;
        if (key_is_items_) {  // "items" holds no array (the last one of that name counts)
          items_are_array_ = false;
          restart_items();
          if (failed_) return;
        }
      }
    } else if (c == ':') {
      if (depth_ == 1) {
        expect_value_ = true;
        key_is_items_ = is_items_key(key_);
      }
    } else if (c == ',') {
      if (depth_ == 1) {
        expect_key_ = true;
        expect_value_ = false;
      }
    } else if (c == '{' || c == '[') {
      if (depth_ == 1 && expect_value_) {
        expect_value_ = false;
        if (key_is_items_ && c == '[') {
          restart_items();
          if (failed_) return;
          copy_to(envelope_, p + 1);  // the envelope keeps "items":[ and, later, ]
          in_items_ = true;
          items_are_array_ = true;
          batch_.reserve(batch_bytes_ + batch_bytes_ / 2);
          batch_ = kBatchStart;
          after_cut_ = false;
          depth_ = 2;
          continue;
        }
        if (key_is_items_) {
          items_are_array_ = false;
          restart_items();
          if (failed_) return;
        }
      }
      ++depth_;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) ended_ = true;
    } else if (!is_space(c) && depth_ == 1 && expect_value_) {
      expect_value_ = false;  // a number or literal
      if (key_is_items_) {
        items_are_array_ = false;
        restart_items();
        if (failed_) return;
      }
    }
  }
  if (failed_) return;
  copy_to(in_items_ ? batch_ : envelope_, end);
}

std::optional<json> ListBodyReader::finish(bool& read_whole) {
  read_whole = false;
  if (!streaming_) return parse_list_body(whole_, fields_);
  // nlohmann's parser would take a NUL byte for the end of the text: JSON has none.
  if (failed_ || !ended_ || in_string_ || depth_ != 0 ||
      envelope_.find('\0') != std::string::npos) {
    read_whole = true;
    return std::nullopt;
  }
  json list = json::parse(envelope_, nullptr, /*allow_exceptions=*/false);
  std::string().swap(envelope_);
  if (list.is_discarded() || !list.is_object()) {
    read_whole = true;
    return std::nullopt;
  }
  if (items_are_array_) {
    json items = json::array();
    items.get_ref<json::array_t&>() = std::move(items_);
    list["items"] = std::move(items);
  }
  items_.clear();
  return list;
}

}  // namespace k8sjobs::kube::detail
