#pragma once
// Resumes TLS sessions across processes through libcurl's CURLOPT_SSL_CTX_FUNCTION (OpenSSL
// backend): when libcurl opens a connection, the session saved for that server and identity is
// offered in the ClientHello; when a full handshake gives a new session, it is saved for the next
// process. Private to curl_transport.cpp; OpenSSL's headers stay in the .cpp.

#include <curl/curl.h>

#include <string>

#include "k8sjobs/kube/tls_session_store.h"

namespace k8sjobs::kube::detail {

// What the OpenSSL callbacks of the connections made under one key need. The transport owns it;
// it must outlive every connection that was opened with it.
struct TlsResumption {
  TlsSessionStore* store = nullptr;
  std::string key;
};

// CURLOPT_SSL_CTX_FUNCTION, with CURLOPT_SSL_CTX_DATA a TlsResumption*. Keeps libcurl's own
// in-process session cache working: its new-session callback is still called.
CURLcode install_tls_resumption(CURL* curl, void* ssl_ctx, void* resumption);

}  // namespace k8sjobs::kube::detail
