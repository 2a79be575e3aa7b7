#include "k8sjobs/kube/client.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <random>
#include <system_error>
#include <thread>

#include "k8sjobs/kube/list_body_parser.h"
#include "k8sjobs/kube/status.h"
#include "k8sjobs/log.h"
#include "list_page_worker.h"

namespace k8sjobs::kube {
namespace {

void add_query(std::string& path, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  path += path.find('?') == std::string::npos ? '?' : '&';
  path += key;
  path += '=';
  path += url_encode(value);
}

std::string random_token(std::mt19937_64& random) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string token;
  for (int i = 0; i < 20; ++i) token.push_back(kAlphabet[pick(random)]);
  return token;
}

std::string metadata_string(const json& object, const char* key) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return {};
  auto value = metadata->find(key);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : std::string();
}

Error malformed_answer(const HttpRequest& request, const std::string& what) {
  ApiStatus status;
  status.code = 200;
  status.reason = StatusReason::Unknown;
  status.message = "unexpected answer from the API server to " + request.method + " " +
                   request.path.substr(0, request.path.find('?')) + ": " + what;
  return status;
}

std::string list_path(const ResourceKind& kind, const std::string& ns, const ListOptions& options) {
  std::string path = kind.collection_path(ns);
  add_query(path, "labelSelector", options.label_selector);
  add_query(path, "fieldSelector", options.field_selector);
  if (options.limit > 0) add_query(path, "limit", std::to_string(options.limit));
  add_query(path, "continue", options.continue_token);
  add_query(path, "resourceVersion", options.resource_version);
  add_query(path, "resourceVersionMatch", options.resource_version_match);
  return path;
}

ListPage page_from(json& body) {
  ListPage page;
  if (auto items = body.find("items"); items != body.end() && items->is_array()) {
    page.items.reserve(items->size());
    for (auto& item : *items) page.items.push_back(std::move(item));  // no second copy
  }
  if (auto metadata = body.find("metadata"); metadata != body.end() && metadata->is_object()) {
    // Wrong types read as absent: a page is never a reason to throw.
    if (auto version = metadata->find("resourceVersion");
        version != metadata->end() && version->is_string()) {
      page.resource_version = version->get<std::string>();
    }
    if (auto token = metadata->find("continue"); token != metadata->end() && token->is_string()) {
      page.continue_token = token->get<std::string>();
    }
    if (auto remaining = metadata->find("remainingItemCount");
        remaining != metadata->end() && remaining->is_number_integer()) {
      page.remaining_item_count = remaining->get<long long>();
    }
  }
  return page;
}

}  // namespace

KubeClient::KubeClient(std::unique_ptr<HttpTransport> transport, RetryPolicy policy,
                       sys::Clock& clock)
    : KubeClient(SharedTransport{std::move(transport)}, policy, clock) {}

KubeClient::KubeClient(SharedTransport shared, RetryPolicy policy, sys::Clock& clock)
    : transport_(std::move(shared.transport)),
      policy_(policy),
      clock_(clock),
      random_(std::random_device{}()) {}

namespace {

// What KubeClient::execute does, for any way of making one attempt (`attempt_once`): Status
// errors, one credential refresh after a 401, retries with backoff as the policy allows.
template <typename Attempt>
Result<HttpResponse> with_retries(const HttpRequest& request, RequestSafety safety,
                                  HttpTransport& transport, const RetryPolicy& policy,
                                  sys::Clock& clock, std::mt19937_64& random, ClientStats& stats,
                                  Attempt attempt_once) {
  auto started = clock.steady_now();
  bool credentials_refreshed = false;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int attempt = 1;; ++attempt) {
    ++stats.requests;
    auto answer = attempt_once();
    std::optional<Error> failure;
    if (answer) {
      if (answer->status < 400) return answer;
      ApiStatus status = status_from_response(*answer);
      if (status.reason == StatusReason::Unauthorized && !credentials_refreshed) {
        // An expired token file or exec credential: read it again once before giving up.
        credentials_refreshed = true;
        transport.invalidate_credentials();
        --attempt;
        continue;
      }
      failure = Error(std::move(status));
    } else {
      failure = answer.error();
    }
    auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady_now() - started);
    auto delay = next_retry_delay(policy, *failure, safety, attempt, elapsed, unit(random));
    if (!delay) return unexpected(std::move(*failure));
    ++stats.retries;
    log_debug("{} {}: {}; attempt {} again in {} ms", request.method,
              request.path.substr(0, request.path.find('?')), failure->describe(), attempt + 1,
              delay->count());
    clock.sleep_for(*delay);
  }
}

}  // namespace

Result<HttpResponse> KubeClient::execute(const HttpRequest& request, RequestSafety safety) {
  return with_retries(request, safety, *transport_, policy_, clock_, random_, stats_,
                      [&] { return transport_->send(request); });
}

Result<json> KubeClient::execute_json(const HttpRequest& request, RequestSafety safety,
                                      const ItemFields* fields) {
  auto answer = execute(request, safety);
  if (!answer) return unexpected(answer.error());
  json body;
  if (fields != nullptr) {
    body = detail::parse_list_body(answer->body, *fields).value_or(json(json::value_t::discarded));
  } else {
    body = json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
  }
  if (body.is_discarded()) return unexpected(malformed_answer(request, "the body is not JSON"));
  return body;
}

Result<json> KubeClient::create(const ResourceKind& kind, const std::string& ns, json object) {
  object["apiVersion"] = kind.api_version();
  object["kind"] = kind.kind;
  std::string name = metadata_string(object, "name");
  std::string token;
  if (!name.empty()) {
    auto& annotations = object["metadata"]["annotations"];
    if (!annotations.is_object()) annotations = json::object();
    if (!annotations.contains(kCreateTokenAnnotation))
      annotations[kCreateTokenAnnotation] = random_token(random_);
    token = annotations[kCreateTokenAnnotation].get<std::string>();
  }
  HttpRequest request{"POST", kind.collection_path(ns), "application/json", object.dump()};
  auto created = execute_json(
      request, name.empty() ? RequestSafety::NotIdempotent : RequestSafety::Idempotent);
  if (created || name.empty() || !created.error().is(StatusReason::AlreadyExists)) return created;
  // An earlier attempt may have been applied before its answer was lost (ours, or libcurl's
  // own resend on a kept-alive connection that broke): if the object that exists carries our
  // token, the create succeeded.
  auto existing = get(kind, ns, name);
  if (existing) {
    auto annotations = (*existing)["metadata"].value("annotations", json::object());
    if (annotations.value(kCreateTokenAnnotation, "") == token) return existing;
  }
  return created;
}

Result<json> KubeClient::get(const ResourceKind& kind, const std::string& ns,
                             const std::string& name) {
  return execute_json(HttpRequest{"GET", kind.object_path(ns, name)}, RequestSafety::Idempotent);
}

Result<ListPage> KubeClient::list(const ResourceKind& kind, const std::string& ns,
                                  const ListOptions& options) {
  return list_page(kind, ns, options);
}

Result<ListPage> KubeClient::list_page(const ResourceKind& kind, const std::string& ns,
                                       const ListOptions& options) {
  HttpRequest request{"GET", list_path(kind, ns, options)};
  auto body = execute_json(request, RequestSafety::Idempotent, nullptr);
  if (!body) return unexpected(body.error());
  if (!body->is_object() || !body->contains("items")) {
    return unexpected(malformed_answer(request, "a list without items"));
  }
  return page_from(*body);
}

Result<ListPage> KubeClient::stream_page(const ResourceKind& kind, const std::string& ns,
                                         const ListOptions& options, const ItemFields& fields,
                                         detail::ListPageWorker& worker, bool restarted,
                                         bool whole) {
  HttpRequest request{"GET", list_path(kind, ns, options)};
  // What the page gives besides its items, for the walk.
  auto hand_over = [&](json& list) -> Result<ListPage> {
    if (!list.is_object() || !list.contains("items")) {
      return unexpected(malformed_answer(request, "a list without items"));
    }
    ListPage page = page_from(list);
    ListPage metadata;
    metadata.resource_version = page.resource_version;
    metadata.continue_token = page.continue_token;
    metadata.remaining_item_count = page.remaining_item_count;
    worker.end_page(std::move(page), restarted);
    return metadata;
  };
  if (!whole) {
    // Read as it arrives (ListBodyReader): a page of real-sized objects is never held whole,
    // and its batches are parsed by the worker while the rest arrives.
    detail::ListBodyReader reader(fields, detail::ListBodyReader::kWholeLimit,
                                  detail::ListBodyReader::kBatchBytes,
                                  [&](std::string& batch) { worker.add_batch(batch); });
    bool interrupted = false;
    auto answer = with_retries(request, RequestSafety::Idempotent, *transport_, policy_, clock_,
                               random_, stats_, [&] {
                                 if (reader.sunk()) worker.discard_page();
                                 reader.start();
                                 return transport_->stream(request, [&](std::string_view data) {
                                   // A page the worker cannot read (or on_page threw): the
                                   // walk goes back to it, or ends.
                                   if (worker.broken_page() || worker.stopped()) {
                                     interrupted = true;
                                     return false;
                                   }
                                   reader.feed(data);
                                   return true;
                                 });
                               });
    if (interrupted) return ListPage{};  // list_pages looks at the worker
    if (!answer) {
      if (reader.sunk()) worker.discard_page();
      return unexpected(answer.error());
    }
    // A transport that does not stream hands the whole body over at the end.
    if (!answer->body.empty()) reader.feed(answer->body);
    bool read_whole = false;
    auto list = reader.finish(read_whole);
    if (!read_whole) {
      if (!list) {
        if (reader.sunk()) worker.discard_page();
        return unexpected(malformed_answer(request, "the body is not JSON"));
      }
      auto page = hand_over(*list);
      if (!page && reader.sunk()) worker.discard_page();
      return page;
    }
    // Ended early (a dropped connection) or not shaped as a list: read the page again and
    // parse it whole, which decides as before (retry, or "not JSON").
    if (reader.sunk()) worker.discard_page();
    log_debug("GET {}: reading the page again whole", request.path.substr(0, 200));
  }
  auto body = execute_json(request, RequestSafety::Idempotent, &fields);
  if (!body) return unexpected(body.error());
  return hand_over(*body);
}

Result<ListPage> KubeClient::list_all(const ResourceKind& kind, const std::string& ns,
                                      ListOptions options) {
  ListPage all;
  auto listed = list_pages(kind, ns, std::move(options), [&](ListPage& page, bool restarted) {
    if (restarted) all.items.clear();
    std::move(page.items.begin(), page.items.end(), std::back_inserter(all.items));
  });
  if (!listed) return unexpected(listed.error());
  all.resource_version = std::move(*listed);
  return all;
}

Result<std::string> KubeClient::list_pages(
    const ResourceKind& kind, const std::string& ns, ListOptions options,
    const std::function<void(ListPage& page, bool restarted)>& on_page, const ItemFields* fields) {
  if (options.limit <= 0) options.limit = 500;
  if (fields != nullptr)
    return list_pages_pipelined(kind, ns, std::move(options), on_page, *fields);
  constexpr int kMaxRestarts = 3;
  for (int restart = 0;; ++restart) {
    std::string resource_version;
    ListOptions page_options = options;
    page_options.continue_token.clear();
    bool first = true;
    for (;;) {
      auto page = list_page(kind, ns, page_options);
      if (!page) {
        if (page.error().is(StatusReason::Gone) && !page_options.continue_token.empty() &&
            restart < kMaxRestarts) {
          ++stats_.relists;  // the snapshot behind the token is gone: start over
          break;
        }
        return unexpected(page.error());
      }
      if (first) resource_version = page->resource_version;
      on_page(*page, first && restart > 0);
      first = false;
      if (page->continue_token.empty()) return resource_version;
      page_options.continue_token = page->continue_token;
      // Later pages belong to the first page's snapshot; a resourceVersion would be refused.
      page_options.resource_version.clear();
      page_options.resource_version_match.clear();
    }
  }
}

// The walk of list_pages, with each page's items parsed by a ListPageWorker while the next
// page downloads. It decides as the walk above does, page for page: before it acts on the end
// of the walk or an error, the pages given so far are parsed, and a page the worker could not
// read is read again whole and the walk goes on from it, as if it had never gone further.
Result<std::string> KubeClient::list_pages_pipelined(
    const ResourceKind& kind, const std::string& ns, const ListOptions& options,
    const std::function<void(ListPage& page, bool restarted)>& on_page, const ItemFields& fields) {
  constexpr int kMaxRestarts = 3;
  struct Requested {
    ListOptions options;
    bool first;
    int restart;
  };
  std::vector<Requested> requested;  // by the index the worker counts pages with
  detail::ListPageWorker worker(fields, on_page);
  std::string resource_version;
  ListOptions page_options = options;
  page_options.continue_token.clear();
  bool first = true;
  int restart = 0;
  bool whole = false;
  for (;;) {
    requested.push_back(Requested{page_options, first, restart});
    auto page = stream_page(kind, ns, page_options, fields, worker, first && restart > 0, whole);
    whole = false;
    const bool done = page && page->continue_token.empty();
    if (done || !page || worker.stopped()) worker.drain();  // throws what on_page threw
    if (auto broken = worker.broken_page()) {
      const Requested again = requested[*broken];
      requested.resize(*broken);
      page_options = again.options;
      first = again.first;
      restart = again.restart;
      worker.resume();
      whole = true;
      continue;
    }
    if (!page) {
      if (page.error().is(StatusReason::Gone) && !page_options.continue_token.empty() &&
          restart < kMaxRestarts) {
        ++stats_.relists;  // the snapshot behind the token is gone: start over
        ++restart;
        page_options = options;
        page_options.continue_token.clear();
        first = true;
        continue;
      }
      return unexpected(page.error());
    }
    if (first) resource_version = page->resource_version;
    first = false;
    if (done) return resource_version;
    page_options.continue_token = page->continue_token;
    // Later pages belong to the first page's snapshot; a resourceVersion would be refused.
    page_options.resource_version.clear();
    page_options.resource_version_match.clear();
  }
}

std::vector<Result<std::string>> KubeClient::list_pages_side_by_side(
    const std::string& ns, const std::vector<std::vector<ListWalk>>& lanes) {
  struct LaneResult {
    std::vector<Result<std::string>> answers;
    std::exception_ptr thrown;
  };
  std::vector<LaneResult> results(lanes.size());
  auto walk_lane = [&](KubeClient& client, std::size_t lane) {
    LaneResult& result = results[lane];
    try {
      for (const ListWalk& walk : lanes[lane]) {
        if (!result.answers.empty() && !result.answers.back()) {
          result.answers.push_back(result.answers.back());  // the lane stopped
          continue;
        }
        result.answers.push_back(
            client.list_pages(*walk.kind, ns, walk.options, walk.on_page, &walk.fields));
      }
    } catch (...) {
      result.thrown = std::current_exception();
    }
  };
  // The lanes after the first each on a thread and a client of their own; the first here.
  struct Helper {
    Helper(std::shared_ptr<HttpTransport> transport, RetryPolicy policy, sys::Clock& clock)
        : client(SharedTransport{std::move(transport)}, policy, clock) {}
    KubeClient client;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Helper>> helpers;
  if (transport_->takes_concurrent_requests()) {
    for (std::size_t lane = 1; lane < lanes.size(); ++lane) {
      auto helper = std::make_unique<Helper>(transport_, policy_, clock_);
      try {
        helper->thread =
            std::thread([&walk_lane, &client = helper->client, lane] { walk_lane(client, lane); });
      } catch (const std::system_error&) {
        break;  // no thread to be had: the lanes left go one after the other, here
      }
      helpers.push_back(std::move(helper));
    }
  }
  if (!lanes.empty()) walk_lane(*this, 0);
  for (std::size_t lane = helpers.size() + 1; lane < lanes.size(); ++lane) walk_lane(*this, lane);
  for (auto& helper : helpers) {
    helper->thread.join();
    const ClientStats& theirs = helper->client.stats_;
    stats_.requests += theirs.requests;
    stats_.retries += theirs.retries;
    stats_.watch_reconnects += theirs.watch_reconnects;
    stats_.relists += theirs.relists;
  }
  std::vector<Result<std::string>> answers;
  for (auto& result : results) {
    if (result.thrown) std::rethrow_exception(result.thrown);  // the first lane's, in order
    for (auto& answer : result.answers) answers.push_back(std::move(answer));
  }
  return answers;
}

Result<json> KubeClient::replace(const ResourceKind& kind, const std::string& ns,
                                 const std::string& name, const json& object) {
  json body = object;
  body["apiVersion"] = kind.api_version();
  body["kind"] = kind.kind;
  return execute_json(
      HttpRequest{"PUT", kind.object_path(ns, name), "application/json", body.dump()},
      RequestSafety::Idempotent);
}

Result<json> KubeClient::patch(const ResourceKind& kind, const std::string& ns,
                               const std::string& name, PatchType type, const json& patch) {
  std::string content_type;
  RequestSafety safety = RequestSafety::Idempotent;
  switch (type) {
    case PatchType::Merge:
      content_type = "application/merge-patch+json";
      break;
    case PatchType::StrategicMerge:
      content_type = "application/strategic-merge-patch+json";
      break;
    case PatchType::JsonPatch:
      content_type = "application/json-patch+json";
      // A JSON patch is only safe to repeat when it starts by testing the state it expects.
      if (!patch.is_array() || patch.empty() || patch[0].value("op", "") != "test") {
        safety = RequestSafety::NotIdempotent;
      }
      break;
  }
  return execute_json(HttpRequest{"PATCH", kind.object_path(ns, name), content_type, patch.dump()},
                      safety);
}

Result<json> KubeClient::remove(const ResourceKind& kind, const std::string& ns,
                                const std::string& name, const DeleteOptions& options) {
  std::string path = kind.object_path(ns, name);
  HttpRequest request{"DELETE", path};
  if (!options.precondition_uid && !options.precondition_resource_version &&
      !options.grace_period_seconds) {
    add_query(request.path, "propagationPolicy", options.propagation_policy);
  } else {
    json body{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
    if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
    if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
    if (options.precondition_uid) body["preconditions"]["uid"] = *options.precondition_uid;
    if (options.precondition_resource_version) {
      body["preconditions"]["resourceVersion"] = *options.precondition_resource_version;
    }
    request.content_type = "application/json";
    request.body = body.dump();
  }
  return execute_json(request, RequestSafety::Idempotent);
}

Result<Done> KubeClient::watch(const ResourceKind& kind, const std::string& ns,
                               const WatchOptions& options,
                               const std::function<WatchControl(const WatchEvent&)>& handler) {
  auto started = clock_.steady_now();
  auto remaining = [&]() -> std::optional<std::chrono::milliseconds> {
    if (options.deadline.count() == 0) return std::nullopt;
    return options.deadline -
           std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - started);
  };

  std::string resource_version = options.resource_version;
  // Lists the current objects, hands them over as SYNC page by page (a watcher of 1,000 real
  // Jobs, 8 KB each, would otherwise hold them all at once), and returns where to watch from.
  // A list restarted after an expired continue token hands the objects over again: SYNC means
  // "this object exists as shown", so a second one is harmless. The objects come without
  // managedFields (no watcher reads them; they are half of a real object) in pages of
  // kRelistPageLimit: a page of 500 whole Jobs held about 40 MB of JSON values at once.
  auto relist = [&]() -> Result<bool> {
    ListOptions list_options;
    list_options.label_selector = options.label_selector;
    list_options.field_selector = options.field_selector;
    list_options.limit = kRelistPageLimit;
    static const ItemFields kAllButManagedFields{};
    bool stopped = false;
    auto listed = list_pages(
        kind, ns, list_options,
        [&](ListPage& page, bool) {
          for (auto& item : page.items) {
            if (stopped) return;
            stopped = handler(WatchEvent{"SYNC", std::move(item)}) == WatchControl::Stop;
          }
        },
        &kAllButManagedFields);
    if (!listed) return unexpected(listed.error());
    resource_version = std::move(*listed);
    return stopped;
  };

  if (resource_version.empty()) {
    auto stopped = relist();
    if (!stopped) return unexpected(stopped.error());
    if (*stopped) return Done{};
  }

  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int failures = 0;
  for (;;) {
    auto left = remaining();
    if (left && left->count() <= 0) {
      return unexpected(
          Error(TransportError{TransportFailure::Timeout, "watch deadline reached", false}));
    }
    std::string path = kind.collection_path(ns);
    add_query(path, "watch", "1");
    add_query(path, "resourceVersion", resource_version);
    if (options.allow_bookmarks) add_query(path, "allowWatchBookmarks", "true");
    add_query(path, "labelSelector", options.label_selector);
    add_query(path, "fieldSelector", options.field_selector);
    auto server_timeout = options.server_timeout;
    if (left) {
      server_timeout = std::min(server_timeout,
                                std::max(std::chrono::seconds(1),
                                         std::chrono::duration_cast<std::chrono::seconds>(*left)));
    }
    add_query(path, "timeoutSeconds", std::to_string(server_timeout.count()));
    HttpRequest request{"GET", path};
    // The server ends the stream at timeoutSeconds; the client gives it a little longer.
    request.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(server_timeout) +
                      std::chrono::seconds(5);
    if (left) request.timeout = std::min(request.timeout, *left + std::chrono::milliseconds(50));

    std::string buffer;
    bool stopped = false;
    bool expired = false;
    bool got_event = false;
    std::optional<Error> stream_error;
    auto on_data = [&](std::string_view data) {
      buffer.append(data);
      size_t start = 0;
      for (size_t newline; (newline = buffer.find('\n', start)) != std::string::npos;
           start = newline + 1) {
        std::string_view line(buffer.data() + start, newline - start);
        if (line.empty()) continue;
        // A line the server did not write as a watch event (not JSON, no string type, no
        // object) is skipped: the stream goes on.
        auto event = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!event.is_object()) continue;
        auto type_field = event.find("type");
        auto object_field = event.find("object");
        if (type_field == event.end() || !type_field->is_string() || object_field == event.end() ||
            !object_field->is_object())
          continue;
        std::string type = type_field->get<std::string>();
        json object = std::move(*object_field);
        if (type == "ERROR") {
          auto code = object.find("code");
          const int status_code = code != object.end() && code->is_number_integer() &&
                                          code->get<std::int64_t>() >= 100 &&
                                          code->get<std::int64_t>() <= 599
                                      ? code->get<int>()
                                      : 500;
          HttpResponse as_response{
              status_code, object.dump(-1, ' ', false, json::error_handler_t::replace), {}};
          ApiStatus status = status_from_response(as_response);
          if (status.reason == StatusReason::Gone) {
            expired = true;
          } else {
            stream_error = Error(std::move(status));
          }
          return false;
        }
        got_event = true;
        std::string version = metadata_string(object, "resourceVersion");
        if (!version.empty()) resource_version = version;
        if (type == "BOOKMARK") continue;
        if (handler(WatchEvent{type, std::move(object)}) == WatchControl::Stop) {
          stopped = true;
          return false;
        }
      }
      buffer.erase(0, start);
      return true;
    };

    ++stats_.requests;
    auto answer = transport_->stream(request, on_data);
    if (stopped) return Done{};
    if (expired) {
      ++stats_.relists;
      log_debug("watch {}: resourceVersion {} expired, listing again", kind.plural,
                resource_version);
      auto stop = relist();
      if (!stop) return unexpected(stop.error());
      if (*stop) return Done{};
      continue;
    }
    std::optional<Error> failure = stream_error;
    if (!failure) {
      if (!answer) {
        failure = answer.error();
      } else if (answer->status != 200) {
        ApiStatus status = status_from_response(*answer);
        if (status.reason == StatusReason::Gone) {
          ++stats_.relists;
          auto stop = relist();
          if (!stop) return unexpected(stop.error());
          if (*stop) return Done{};
          continue;
        }
        failure = Error(std::move(status));
      }
    }
    if (!failure) {
      ++stats_.watch_reconnects;  // the server closed the stream (timeoutSeconds): go on from here
      failures = 0;
      continue;
    }
    if (got_event) failures = 0;
    ++failures;
    auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - started);
    RetryPolicy watch_policy = policy_;
    if (options.deadline.count() > 0) watch_policy.deadline = options.deadline;
    auto delay = next_retry_delay(watch_policy, *failure, RequestSafety::Idempotent, failures,
                                  elapsed, unit(random_));
    if (!delay) return unexpected(std::move(*failure));
    ++stats_.retries;
    ++stats_.watch_reconnects;
    clock_.sleep_for(*delay);
  }
}

}  // namespace k8sjobs::kube
