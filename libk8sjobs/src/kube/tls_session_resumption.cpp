#include "tls_session_resumption.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <atomic>
#include <memory>

namespace k8sjobs::kube::detail {
namespace {

using NewSessionCallback = int (*)(SSL*, SSL_SESSION*);

// What one SSL_CTX (libcurl makes one per connection) needs in OpenSSL's callbacks, which get
// only the SSL: owned by the SSL_CTX through its ex_data and freed with it.
struct ContextLink {
  TlsResumption* resumption = nullptr;
  NewSessionCallback curl_new_session = nullptr;  // libcurl's, which ours replaces and calls
  std::atomic<bool> saved{false};
};

void free_context_link(void*, void* pointer, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<ContextLink*>(pointer);
}

int context_link_index() {
  static const int index =
      SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_context_link);
  return index;
}

ContextLink* link_of(const SSL* ssl) {
  SSL_CTX* ctx = SSL_get_SSL_CTX(ssl);
  if (ctx == nullptr) return nullptr;
  return static_cast<ContextLink*>(SSL_CTX_get_ex_data(ctx, context_link_index()));
}

// OpenSSL calls this when the server sends a session: at the end of a TLS 1.2 handshake, or on
// the first read after a TLS 1.3 one (by then libcurl has checked the certificate and name).
int on_new_session(SSL* ssl, SSL_SESSION* session) {
  ContextLink* link = link_of(ssl);
  if (link == nullptr) return 0;
  int kept_by_curl = link->curl_new_session != nullptr ? link->curl_new_session(ssl, session) : 0;
  // A resumed connection leaves the saved session in place: it is still good, and not writing
  // keeps the common path free of file system work. A TLS 1.3 server sends several tickets
  // after a full handshake; one is enough.
  if (SSL_session_reused(ssl) == 0 && SSL_SESSION_is_resumable(session) == 1 &&
      !link->saved.exchange(true)) {
    int size = i2d_SSL_SESSION(session, nullptr);
    if (size > 0) {
      std::string der(static_cast<std::size_t>(size), '\0');
      auto* out = reinterpret_cast<unsigned char*>(der.data());
      if (i2d_SSL_SESSION(session, &out) == size) {
        link->resumption->store->save(link->resumption->key, der);
      }
    }
  }
  return kept_by_curl;
}

// At the start of the first handshake, before the ClientHello is written: offer the saved
// session unless libcurl already set one of its own.
void on_handshake_state(const SSL* ssl, int where, int) {
  if ((where & SSL_CB_HANDSHAKE_START) == 0) return;
  auto* connection = const_cast<SSL*>(ssl);
  if (SSL_get_session(connection) != nullptr) return;
  ContextLink* link = link_of(ssl);
  if (link == nullptr) return;
  auto der = link->resumption->store->load(link->resumption->key);
  if (!der) return;
  const auto* in = reinterpret_cast<const unsigned char*>(der->data());
  SSL_SESSION* session = d2i_SSL_SESSION(nullptr, &in, static_cast<long>(der->size()));
  if (session != nullptr) {
    // An expired ticket is not offered by OpenSSL itself; one the server no longer knows (a
    // restarted server, rotated ticket keys) is ignored by the server: a full handshake.
    if (SSL_SESSION_is_resumable(session) == 1) SSL_set_session(connection, session);
    SSL_SESSION_free(session);
  }
  ERR_clear_error();  // a damaged file must not leave errors for libcurl to report later
}

}  // namespace

CURLcode install_tls_resumption(CURL*, void* ssl_ctx, void* resumption) {
  auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  auto* wanted = static_cast<TlsResumption*>(resumption);
  if (ctx == nullptr || wanted == nullptr || wanted->store == nullptr) return CURLE_OK;
  int index = context_link_index();
  if (index < 0) return CURLE_OK;
  if (auto* existing = static_cast<ContextLink*>(SSL_CTX_get_ex_data(ctx, index))) {
    existing->resumption = wanted;  // a context libcurl set up before: callbacks are in place
    return CURLE_OK;
  }
  auto link = std::make_unique<ContextLink>();
  link->resumption = wanted;
  link->curl_new_session = SSL_CTX_sess_get_new_cb(ctx);
  if (SSL_CTX_set_ex_data(ctx, index, link.get()) != 1) {
    ERR_clear_error();
    return CURLE_OK;  // no resumption, but the request goes on
  }
  link.release();  // owned by ctx now, freed by free_context_link
  // libcurl already asks for client-side caching with external storage, which is what makes
  // OpenSSL call a new-session callback at all; make sure of it whatever its version does.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_sess_set_new_cb(ctx, on_new_session);
  SSL_CTX_set_info_callback(ctx, on_handshake_state);
  return CURLE_OK;
}

}  // namespace k8sjobs::kube::detail
