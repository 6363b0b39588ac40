// The audit trail's view of one HTTP request (projector::RequestOrigin):
// the user the router authenticated (HttpRequest::user; never the
// password), the client address (HttpRequest::client_address: the peer's,
// or behind the TLS front the X-Forwarded-For it set), the correlation id,
// and the route. Built once per request by the REST and piggyback handlers
// and passed with the command to the service (CommandOptions::origin).
//
// A request without a correlation id gets a random UUID (version 4), as
// Ditto's gateway generates one for every request that has none.
//
// Thread safety: free functions, callable from any thread.
#ifndef CONNECTIVITY_HTTP_REQUEST_ORIGIN_H_
#define CONNECTIVITY_HTTP_REQUEST_ORIGIN_H_

#include <string>
#include <string_view>

#include "src/http/http_types.h"
#include "src/projector/request_origin.h"

namespace connectivity::http {

// `correlation_id`: the one the request names (REST: the correlation-id
// header or query parameter; piggyback: the envelope's headers, which
// include the query parameter); empty if none.
projector::RequestOrigin OriginOf(const HttpRequest& request, std::string_view route,
                                  std::string_view correlation_id);

// A random UUID, version 4, in its lower-case text form.
std::string NewCorrelationId();

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_REQUEST_ORIGIN_H_
