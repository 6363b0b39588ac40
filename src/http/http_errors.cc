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

}  // namespace connectivity::http
