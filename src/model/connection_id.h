// Connection ids (REF §3.2): the full-match regular expression `[a-zA-Z0-9-_:]{1,100}`.
#ifndef CONNECTIVITY_MODEL_CONNECTION_ID_H_
#define CONNECTIVITY_MODEL_CONNECTION_ID_H_

#include <string_view>

namespace connectivity::model {

// True if `id` is 1 to 100 characters of letters, digits, '-', '_' and ':'. Invalid ids are
// answered with ConnectionIdInvalid(id) (errors.h).
bool IsValidConnectionId(std::string_view id);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_CONNECTION_ID_H_
