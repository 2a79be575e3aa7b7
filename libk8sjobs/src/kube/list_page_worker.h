#pragma once
// The second thread of KubeClient::list_pages with ItemFields: it parses the item batches of
// each page (ListBodyReader's, k8sjobs/kube/list_body_parser.h) and hands each page to the
// caller's on_page, while the calling thread already downloads the next page. Parsing a page
// of real-sized objects costs about as much as downloading it; one after the other, a LIST of
// 10,000 jobs took the sum of both.
//
// The calling thread gives, in order: batches of the page being read, then end_page() with
// the page's list metadata; discard_page() when the page is read again (a retry, or read
// whole). The worker takes them in that order, so on_page sees the pages in order and one at
// a time, as without it. It only starts its thread when the first batch comes: a listing of
// small pages (read whole, ListBodyReader::kWholeLimit) never starts one, and on_page is then
// called on the calling thread.
//
// A batch that is not JSON stops the worker at that page (broken_page()): the pages before it
// were handed over, nothing of it or after it is, and what was given after it is dropped until
// resume(). The caller reads that page again whole, as the reader does for any body it cannot
// decide. An exception from on_page stops the worker likewise; finish() throws it again on
// the calling thread.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "k8sjobs/kube/client.h"

namespace k8sjobs::kube::detail {

class ListPageWorker {
 public:
  using OnPage = std::function<void(ListPage& page, bool restarted)>;
  // Batch text queued at most (the caller waits beyond it): the download stays at most this
  // far ahead of the parsing, so memory does not grow with a slow parser. qstat walks two
  // kinds side by side (KubeClient::list_pages_side_by_side), each with a worker of its own.
  static constexpr std::size_t kQueuedBytes = std::size_t{1} << 20;
  // Enough for a full queue (ListBodyReader's batches are about 64 KiB): a batch's buffer of
  // 64 KiB or more freed makes malloc consolidate its free lists.
  static constexpr std::size_t kSpareBuffers = 16;

  ListPageWorker(const ItemFields& fields, const OnPage& on_page);
  ListPageWorker(const ListPageWorker&) = delete;
  ListPageWorker& operator=(const ListPageWorker&) = delete;
  // Stops the thread; what was not handled yet is dropped (an error ended the walk).
  ~ListPageWorker();

  // Takes the batch's text; `batch` gets the buffer of one already parsed, if any (a buffer
  // of 64 KiB or more freed on every batch made malloc consolidate its free lists each time).
  void add_batch(std::string& batch);
  void discard_page();
  // The current page is complete: its batches' items, then `page.items` (a page read whole
  // has no batches), go to on_page with `page`'s metadata.
  void end_page(ListPage&& page, bool restarted);

  // The index (in end_page order, from 0) of the page whose batch was not JSON, or nullopt.
  // Cheap enough to ask for every chunk received.
  std::optional<std::size_t> broken_page() const;
  // on_page threw: the walk is over, finish() throws it.
  bool stopped() const;
  // After broken_page(): drops what is queued, and takes messages again. The next end_page()
  // counts as the broken page's index again.
  void resume();
  // Waits until everything given is handled (or the worker stopped at a broken page), so that
  // broken_page() is final for what was given. Throws what on_page threw.
  void drain();

 private:
  struct Message {
    enum class Kind { Batch, Discard, EndPage } kind;
    std::string batch;
    ListPage page;
    bool restarted = false;
  };

  void push(Message&& message);
  void run();
  void handle(Message& message);

  const ItemFields& fields_;
  const OnPage& on_page_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Message> queue_;
  std::size_t queued_bytes_ = 0;
  bool busy_ = false;                       // the thread handles a message taken from the queue
  bool closing_ = false;                    // the destructor: end the thread
  std::vector<std::string> spare_buffers_;  // emptied batches, for add_batch
  std::optional<std::size_t> broken_page_;
  std::exception_ptr thrown_;
  // The thread's own, while it handles a message.
  std::vector<nlohmann::json> items_;
  std::size_t expected_items_ = 0;  // the largest page so far
  std::size_t pages_handled_ = 0;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace k8sjobs::kube::detail
