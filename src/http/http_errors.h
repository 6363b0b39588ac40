// Errors raised by the HTTP layer itself (gateway-side in Ditto's terms).
#ifndef CONNECTIVITY_HTTP_HTTP_ERRORS_H_
#define CONNECTIVITY_HTTP_HTTP_ERRORS_H_

#include <string_view>

#include "src/model/errors.h"

namespace connectivity::http {

// `timeout` outside [0, 60 s] (REF §1.1).
model::DittoError TimeoutInvalid(std::string_view timeout);
// A header whose value does not parse.
model::DittoError HeaderValueInvalid(std::string_view name, std::string_view value,
                                     std::string_view expected);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_HTTP_ERRORS_H_
