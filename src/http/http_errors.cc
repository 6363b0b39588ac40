#include "src/http/http_errors.h"

#include <string>

namespace connectivity::http {

model::DittoError TimeoutInvalid(std::string_view timeout) {
  model::DittoError error;
  error.status = 400;
  error.error = "gateway:timeout.invalid";
  error.message = "The timeout <" + std::string(timeout) +
                  "> is not inside its allowed bounds <0ms - 60000ms>";
  error.description = "Adjust the timeout to lie within the allowed bounds.";
  return error;
}

model::DittoError HeaderValueInvalid(std::string_view name, std::string_view value,
                                     std::string_view expected) {
  return model::HeaderInvalid("The value '" + std::string(value) + "' of the header '" +
                                  std::string(name) + "' is not a valid " + std::string(expected) +
                                  ".",
                              "Verify that the value of the header '" + std::string(name) +
                                  "' is correct and try again.");
}

namespace {

model::DittoError Make(int status, std::string error, std::string message, std::string description) {
  model::DittoError e;
  e.status = status;
  e.error = std::move(error);
  e.message = std::move(message);
  e.description = std::move(description);
  return e;
}

}  // namespace

model::DittoError RequestInvalid(std::string message) {
  return Make(400, "gateway:request.invalid", std::move(message),
              "The request is not valid HTTP/1.1; check what the client sends.");
}

model::DittoError ContentLengthInvalid(std::string message) {
  return Make(400, "gateway:content.length.invalid", std::move(message),
              "Send one Content-Length with the body's size in bytes as a decimal number.");
}

model::DittoError RequestTimeout(std::string message) {
  return Make(408, "gateway:request.timeout", std::move(message),
              "Send the whole request without pausing; the connection is closed.");
}

model::DittoError UriTooLong(size_t limit_bytes) {
  return Make(414, "gateway:uri.too.long",
              "The request line exceeded the limit of <" + std::to_string(limit_bytes) + "> bytes.",
              "Shorten the path and the query of the request.");
}

model::DittoError ExpectationFailed(std::string_view expectation) {
  return Make(417, "gateway:expectation.failed",
              "The expectation <" + std::string(expectation) + "> is not supported.",
              "Only 'Expect: 100-continue' is supported.");
}

model::DittoError HeadersTooLarge(size_t limit_bytes) {
  return Make(431, "headers.too.large", "The headers are too large.",
              "The number of bytes exceeded the maximum allowed value <" + std::to_string(limit_bytes) + ">!");
}

model::DittoError TooManyConnections(size_t limit) {
  return Make(503, "gateway:service.unavailable",
              "The service has reached its limit of <" + std::to_string(limit) + "> open HTTP connections.",
              "Close idle connections or try again later.");
}

}  // namespace connectivity::http
