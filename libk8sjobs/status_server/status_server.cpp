// SPDX-License-Identifier: Apache-2.0
#include "k8sjobs/controller/status_server.h"

#include <httplib.h>

#include <charconv>
#include <thread>

#include "k8sjobs/status/status_routes.h"

namespace k8sjobs::controller {

Expected<ListenAddress, std::string> parse_listen_address(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return unexpected("--listen wants HOST:PORT, not \"" + text + "\"");
  ListenAddress address;
  address.host = text.substr(0, colon);
  if (address.host.size() >= 2 && address.host.front() == '[' && address.host.back() == ']')
    address.host = address.host.substr(1, address.host.size() - 2);
  const std::string port = text.substr(colon + 1);
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), address.port);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() ||
      address.port < 0 || address.port > 65535)
    return unexpected("--listen: bad port \"" + port + "\"");
  return address;
}

struct StatusServer::Impl {
  const status::StatusBoard& board;
  const status::MetricsRegistry& metrics;
  std::function<bool()> ready;
  status::JobEventsLookup events;
  httplib::Server server;
  std::thread thread;

  void answer(const httplib::Request& request, httplib::Response& response) {
    status::StatusRequest wanted{request.method, request.path, {}};
    for (const auto& [name, value] : request.params) wanted.query.emplace(name, value);
    auto reply = status::route_status_request(wanted, board.current(), ready(), metrics, events);
    response.status = reply.status;
    if (reply.status == 405) response.set_header("Allow", "GET, HEAD");
    response.set_header("Cache-Control", "no-store");
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_header("Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; "
                        "script-src 'unsafe-inline'; connect-src 'self'; img-src 'self'");
    response.set_content(std::move(reply.body), reply.content_type.c_str());
  }
};

StatusServer::StatusServer(const status::StatusBoard& board, const status::MetricsRegistry& metrics,
                           std::function<bool()> ready, status::JobEventsLookup events)
    : impl_(new Impl{board, metrics, std::move(ready), std::move(events), {}, {}}) {}

StatusServer::~StatusServer() {
  stop();
}

Expected<int, std::string> StatusServer::start(const ListenAddress& address) {
  Impl& impl = *impl_;
  auto handler = [&impl](const httplib::Request& request, httplib::Response& response) {
    impl.answer(request, response);
  };
  // Every method reaches the router, which refuses all but GET/HEAD with 405.
  impl.server.Get(".*", handler);
  impl.server.Post(".*", handler);
  impl.server.Put(".*", handler);
  impl.server.Patch(".*", handler);
  impl.server.Delete(".*", handler);
  impl.server.Options(".*", handler);
  impl.server.set_payload_max_length(64 * 1024);
  impl.server.set_read_timeout(5, 0);
  impl.server.set_write_timeout(10, 0);
  int port = address.port;
  if (port == 0) {
    port = impl.server.bind_to_any_port(address.host);
    if (port < 0) return unexpected("--listen: cannot bind " + address.host);
  } else if (!impl.server.bind_to_port(address.host, port)) {
    return unexpected("--listen: cannot bind " + address.host + ":" + std::to_string(port));
  }
  impl.thread = std::thread([&impl] { impl.server.listen_after_bind(); });
  return port;
}

void StatusServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace k8sjobs::controller
