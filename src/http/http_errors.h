// Errors raised by the HTTP layer itself (gateway-side in Ditto's terms).
//
// The framing errors are answered before a request reaches the router (see
// request_framing.h); each closes the connection after its answer:
//   400 gateway:request.invalid         malformed request line or header, bare LF or CR,
//                                       unsupported method, version or Transfer-Encoding,
//                                       broken chunked framing, HTTP/1.1 without one Host
//   400 gateway:content.length.invalid  Content-Length not a plain decimal, or copies disagree
//   408 gateway:request.timeout         head or body not complete within its timeout
//   413 request.entity.too.large        body over --max-body-bytes
//   414 gateway:uri.too.long            request line over --max-request-line-bytes
//   417 gateway:expectation.failed      an Expect other than 100-continue
//   431 headers.too.large               header section over --max-header-bytes (Ditto's code)
//   503 gateway:service.unavailable     more than --max-connections open connections
#ifndef CONNECTIVITY_HTTP_HTTP_ERRORS_H_
#define CONNECTIVITY_HTTP_HTTP_ERRORS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "src/model/errors.h"

namespace connectivity::http {

// `timeout` outside [0, 60 s] (REF §1.1).
model::DittoError TimeoutInvalid(std::string_view timeout);
// A header whose value does not parse.
model::DittoError HeaderValueInvalid(std::string_view name, std::string_view value,
                                     std::string_view expected);

// --- framing (request_framing.h) ---
model::DittoError RequestInvalid(std::string message);
model::DittoError ContentLengthInvalid(std::string message);
model::DittoError RequestTimeout(std::string message);
model::DittoError UriTooLong(size_t limit_bytes);
model::DittoError ExpectationFailed(std::string_view expectation);
model::DittoError HeadersTooLarge(size_t limit_bytes);
model::DittoError TooManyConnections(size_t limit);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_HTTP_ERRORS_H_
