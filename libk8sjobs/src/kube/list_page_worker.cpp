// ListPageWorker (list_page_worker.h): a paged LIST's batches parsed, and its pages handed
// over, on a thread of its own.
#include "list_page_worker.h"

#include <algorithm>
#include <utility>

#include "k8sjobs/kube/list_body_parser.h"

namespace k8sjobs::kube::detail {

ListPageWorker::ListPageWorker(const ItemFields& fields, const OnPage& on_page)
    : fields_(fields), on_page_(on_page) {}

ListPageWorker::~ListPageWorker() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ListPageWorker::push(Message&& message) {
  std::unique_lock lock(mutex_);
  // Given after a broken page or after on_page threw: nobody will read it.
  if (broken_page_ || thrown_) return;
  const std::size_t bytes = message.batch.size();
  // One batch is always taken, however large, or a batch above the limit would wait forever.
  changed_.wait(lock, [&] {
    return queued_bytes_ == 0 || queued_bytes_ + bytes <= kQueuedBytes || broken_page_ || thrown_;
  });
  if (broken_page_ || thrown_) return;
  queued_bytes_ += bytes;
  queue_.push_back(std::move(message));
  lock.unlock();
  changed_.notify_all();
}

void ListPageWorker::add_batch(std::string& batch) {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  Message message{Message::Kind::Batch, std::move(batch), {}, false};
  batch = std::string();
  {
    std::lock_guard lock(mutex_);
    if (!spare_buffers_.empty()) {
      batch.swap(spare_buffers_.back());
      spare_buffers_.pop_back();
    }
  }
  push(std::move(message));
}

void ListPageWorker::discard_page() {
  if (!thread_.joinable()) {
    items_.clear();
    return;
  }
  push(Message{Message::Kind::Discard, {}, {}, false});
}

void ListPageWorker::end_page(ListPage&& page, bool restarted) {
  if (!thread_.joinable()) {
    // Nothing was ever queued: the page goes over here, as it would without a worker.
    Message message{Message::Kind::EndPage, {}, std::move(page), restarted};
    handle(message);
    return;
  }
  push(Message{Message::Kind::EndPage, {}, std::move(page), restarted});
}

std::optional<std::size_t> ListPageWorker::broken_page() const {
  std::lock_guard lock(mutex_);
  return broken_page_;
}

bool ListPageWorker::stopped() const {
  std::lock_guard lock(mutex_);
  return thrown_ != nullptr;
}

void ListPageWorker::resume() {
  {
    std::lock_guard lock(mutex_);
    if (!broken_page_) return;
    queue_.clear();
    queued_bytes_ = 0;
    broken_page_.reset();
  }
  changed_.notify_all();
}

void ListPageWorker::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (queue_.empty() && !busy_) || broken_page_ || thrown_; });
  if (thrown_) std::rethrow_exception(thrown_);
}

void ListPageWorker::handle(Message& message) {
  switch (message.kind) {
    case Message::Kind::Batch:
      // The page's vector at its full size from the start: growing it moves every item again.
      if (items_.capacity() < expected_items_) items_.reserve(expected_items_);
      if (!append_batch_items(message.batch, fields_, items_)) {
        items_.clear();
        std::lock_guard lock(mutex_);
        broken_page_ = pages_handled_;
        queue_.clear();
        queued_bytes_ = 0;
      }
      return;
    case Message::Kind::Discard:
      items_.clear();
      return;
    case Message::Kind::EndPage: {
      ListPage& page = message.page;
      expected_items_ = std::max(items_.size() + page.items.size(), expected_items_);
      if (!items_.empty()) {  // the batches' items, then those read whole (none, or a page)
        for (auto& item : page.items) items_.push_back(std::move(item));
        page.items.swap(items_);
      }
      items_.clear();
      ++pages_handled_;
      on_page_(page, message.restarted);
      // The page's vector serves the next page: allocating one of 500 items anew made malloc
      // consolidate all the small blocks the page's values had just freed, page after page.
      if (page.items.capacity() > items_.capacity()) {
        page.items.clear();
        items_.swap(page.items);
      }
      return;
    }
  }
}

void ListPageWorker::run() {
  for (;;) {
    Message message;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock,
                    [&] { return closing_ || (!queue_.empty() && !broken_page_ && !thrown_); });
      if (closing_) return;
      message = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= message.batch.size();
      busy_ = true;
    }
    changed_.notify_all();  // room in the queue
    std::exception_ptr thrown;
    try {
      handle(message);
    } catch (...) {
      thrown = std::current_exception();
    }
    std::string buffer;
    if (message.kind == Message::Kind::Batch) buffer.swap(message.batch);  // emptied, not freed
    message = Message{};  // the page is freed before the next message
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
      if (buffer.capacity() > 0 && spare_buffers_.size() < kSpareBuffers) {
        buffer.clear();
        spare_buffers_.push_back(std::move(buffer));
      }
      if (thrown) {
        thrown_ = thrown;
        queue_.clear();
        queued_bytes_ = 0;
      }
    }
    changed_.notify_all();
  }
}

}  // namespace k8sjobs::kube::detail
