// DittoError: Ditto's error JSON (REF §5.1) and factories for the codes this
// service answers with (REF §5.2, §5.3).
//
// JSON shape: {"status":N,"error":"code","message":"...","description":"...","href":"..."}
// with description and href only when non-empty. Messages are final text
// (Ditto's MessageFormat already applied) and never contain a password.
#ifndef CONNECTIVITY_MODEL_ERRORS_H_
#define CONNECTIVITY_MODEL_ERRORS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace connectivity::model {

struct DittoError {
  int status = 400;
  std::string error;
  std::string message;
  std::string description;  // empty: omitted from JSON
  std::string href;         // empty: omitted from JSON

  std::string ToJson() const;
  // json.* errors get the piggyback prefix "Error when parsing Json type '<type>': ".
  bool IsJsonError() const { return error.rfind("json.", 0) == 0; }
};

// --- generic (REF §5.3) ---
DittoError JsonInvalid(std::string message);
// A member of a JSON object has the wrong JSON type, e.g. `"sources": {}`. The message names the
// member by its full JSON pointer and the expected type; it never echoes the value (which could
// hold a secret): `Value for </sources> is not of type <JsonArray>!`.
DittoError JsonFieldTypeInvalid(std::string_view field_pointer, std::string_view expected_type);
// A JSON string contains U+0000 (Ditto's CommandWithOptionalEntityPreEnforcer).
DittoError JsonForbiddenNulCharacter();
inline constexpr std::string_view kJsonForbiddenNulCharacterMessage =
    "JSON contains a string with the forbidden character '\\u0000'";
DittoError JsonFieldMissing(std::string_view field_pointer);  // e.g. "/connectionType"
DittoError JsonFormatInvalid(std::string message);
DittoError JsonTypeNotParsable(std::string_view type);  // piggyback unknown command type
DittoError FieldSelectorInvalid(std::string_view selector);
DittoError MediaTypeUnsupported(std::string_view media_type, std::string_view supported);
DittoError HeaderInvalid(std::string message, std::string description = "");
DittoError AskError(std::string message);
DittoError ServiceUnavailable(std::string message);
// 429 too.many.requests (Ditto's TooManyRequestsException): repeated failed logins.
DittoError TooManyRequests();
DittoError PayloadTooLarge(size_t limit_bytes);
DittoError InternalError();
DittoError ResourceNotFound(std::string_view path);
DittoError MethodNotAllowed(std::string_view method, std::string_view path);
DittoError ApiVersionNotSupported(std::string_view version);

// --- connectivity (REF §5.2) ---
DittoError ConnectionNotFound(std::string_view id);
DittoError ConnectionConflict(std::string_view id);
DittoError ConnectionConfigurationInvalid(std::string message, std::string description = "");
DittoError ConnectionUriInvalid(std::string_view uri_without_password);
DittoError ConnectionIdInvalid(std::string_view id);
DittoError ConnectionIdNotSettable();
DittoError ConnectionFailed(std::string_view id, std::string description = "");
DittoError ConnectionUnavailable(std::string_view id);
DittoError ConnectionTimeout(std::string_view operation, std::string_view id);
DittoError CommandInvalid(std::string_view command);
DittoError PreconditionFailed(std::string_view header, std::string_view header_value,
                              std::string_view actual_etag);
DittoError PreconditionNotModified(std::string_view expected, std::string_view actual);
DittoError HistoryNotFoundAtRevision(std::string_view id, uint64_t revision);
DittoError HistoryNotFoundAtTimestamp(std::string_view id, std::string_view timestamp);
DittoError TopicInvalid(std::string_view topic, std::string_view hint);
// acknowledgement:label.invalid (400): a label that does not match Ditto's label syntax.
DittoError AcknowledgementLabelInvalid(std::string_view label);
// acknowledgement:label.not.unique (409): one issued label on two targets of a connection.
DittoError AcknowledgementLabelNotUnique(std::string message, std::string description);
// rql.expression.invalid (400): a target topic's `filter` is not valid RQL; `message` is the
// parser's text (Ditto's InvalidRqlExpressionException keeps its default description).
DittoError RqlExpressionInvalid(std::string message);
// placeholder:* (400), Ditto's placeholders module. The validators re-wrap them as
// connection.configuration.invalid keeping message and description.
DittoError PlaceholderUnresolved(std::string_view placeholder);
DittoError PlaceholderFunctionUnknown(std::string_view expression);
// `signature` is the rendered parameter list, e.g. "(String defaultValue /* ... */)".
DittoError PlaceholderFunctionSignatureInvalid(std::string_view function_name,
                                               std::string_view invoked_parameters,
                                               std::string_view signature);
DittoError PlaceholderFunctionTooComplex(int functions_max);
// things:field.selection.invalid (400): a target topic's `extraFields` selects no Thing field.
DittoError ThingFieldSelectionInvalid(std::string_view selection);
// The journal refuses writes after a failed write or fsync (SPEC §5).
DittoError StorageUnavailable();
// 503 while the free-space guard refuses writes (or the journal started
// read-only for lack of space): nothing was written; writing resumes by
// itself once the disk has room.
DittoError StorageFull();

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_ERRORS_H_
