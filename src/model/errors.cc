#include "src/model/errors.h"

#include "src/base/json_writer.h"

namespace connectivity::model {
namespace {

DittoError Make(int status, std::string error, std::string message, std::string description = "") {
  DittoError e;
  e.status = status;
  e.error = std::move(error);
  e.message = std::move(message);
  e.description = std::move(description);
  return e;
}

std::string Quote(std::string_view value) {
  std::string s = "'";
  s.append(value);
  s.push_back('\'');
  return s;
}

}  // namespace

std::string DittoError::ToJson() const {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.MemberInt("status", status);
  w.Member("error", error);
  w.Member("message", message);
  if (!description.empty()) w.Member("description", description);
  if (!href.empty()) w.Member("href", href);
  w.EndObject();
  return out;
}

DittoError JsonInvalid(std::string message) {
  return Make(400, "json.invalid", std::move(message),
              "Check if the JSON was valid (e.g. on https://jsonlint.com) and if it was in required format.");
}

DittoError JsonFieldTypeInvalid(std::string_view field_pointer, std::string_view expected_type) {
  return JsonInvalid("Value for <" + std::string(field_pointer) + "> is not of type <" +
                     std::string(expected_type) + ">!");
}

DittoError JsonForbiddenNulCharacter() {
  return Make(400, "json.invalid", std::string(kJsonForbiddenNulCharacterMessage),
              "We do not accept any JSON strings containing the null character.");
}

DittoError JsonFieldMissing(std::string_view field_pointer) {
  return Make(400, "json.field.missing",
              "JSON did not include required <" + std::string(field_pointer) + "> field!",
              "Check if all required JSON fields were set.");
}

DittoError JsonFormatInvalid(std::string message) {
  return Make(400, "json.format.invalid", std::move(message),
              "Check if all required JSON fields were set and have the correct format.");
}

DittoError JsonTypeNotParsable(std::string_view type) {
  return Make(400, "json.type.notparsable",
              "ExecutePiggybackCommand with PiggybackCommand <" + std::string(type) +
                  "> cannot be executed by this service as there is no mapping strategy for it!",
              "Check if you sent the JSON with the correct type.");
}

DittoError FieldSelectorInvalid(std::string_view selector) {
  return Make(400, "json.fieldselector.invalid",
              "The field selector <" + std::string(selector) + "> is invalid!",
              "Check, for example, if the amount of opening parentheses '(' matches the amount of "
              "closing ones ')'.");
}

DittoError MediaTypeUnsupported(std::string_view media_type, std::string_view supported) {
  return Make(415, "mediatype.unsupported",
              "The Media-Type <" + std::string(media_type) + "> is not supported for this resource.",
              "Supported Media-Types are: <" + std::string(supported) + ">.");
}

DittoError HeaderInvalid(std::string message, std::string description) {
  return Make(400, "header.invalid", std::move(message),
              description.empty() ? "Verify that the header has the correct syntax and try again."
                                  : std::move(description));
}

DittoError AskError(std::string message) {
  return Make(503, "ask.error", std::move(message),
              "Please retry the performed action in order to improve resiliency.");
}

DittoError ServiceUnavailable(std::string message) {
  return Make(503, "gateway:service.unavailable", std::move(message),
              "The service is temporarily unavailable, please try again later.");
}

DittoError TooManyRequests() {
  return Make(429, "too.many.requests", "You made too many requests.", "Try again soon.");
}

DittoError PayloadTooLarge(size_t limit_bytes) {
  return Make(413, "request.entity.too.large",
              "The size of the request exceeded the limit of <" + std::to_string(limit_bytes) +
                  "> bytes.",
              "Reduce the size of the request body and try again.");
}

DittoError InternalError() {
  return Make(500, "internalerror", "There was a rare case of an unexpected internal error.",
              "Please contact the service team.");
}

DittoError ResourceNotFound(std::string_view path) {
  return Make(404, "resource.notfound",
              "The requested resource <" + std::string(path) + "> could not be found.",
              "Check if the path of the request is correct.");
}

DittoError MethodNotAllowed(std::string_view method, std::string_view path) {
  return Make(405, "method.notallowed",
              "The method <" + std::string(method) + "> is not allowed for the resource <" +
                  std::string(path) + ">.",
              "Check the HTTP method of the request.");
}

DittoError ApiVersionNotSupported(std::string_view version) {
  return Make(404, "api.version.notsupported",
              "The requested API version <" + std::string(version) + "> is not supported.",
              "Check if you specified the correct API version. Supported versions are: <2>.");
}

DittoError ConnectionNotFound(std::string_view id) {
  return Make(404, "connectivity:connection.notfound",
              "The Connection with ID " + Quote(id) +
                  " could not be found or requester had insufficient permissions to access it.",
              "Check if the ID of your requested Connection was correct and you have sufficient "
              "permissions.");
}

DittoError ConnectionConflict(std::string_view id) {
  return Make(409, "connectivity:connection.conflict",
              "The Connection with ID " + Quote(id) + " was already created.",
              "If you need to update it, remove it first before creating it again.");
}

DittoError ConnectionConfigurationInvalid(std::string message, std::string description) {
  return Make(400, "connectivity:connection.configuration.invalid", std::move(message),
              description.empty()
                  ? "Make sure all required properties are set and valid in the configuration."
                  : std::move(description));
}

DittoError ConnectionUriInvalid(std::string_view uri_without_password) {
  return Make(400, "connectivity:connection.uri.invalid",
              "The Connection URI " + Quote(uri_without_password) + " has an invalid format.",
              "The accepted format is {protocol}://{username}:{password}@{hostname}:{port}/{path}");
}

DittoError ConnectionIdInvalid(std::string_view id) {
  return Make(400, "connectivity:connection.id.invalid",
              "The Connection ID " + Quote(id) + " is not valid.",
              "It must be conform to the regular expression: <[a-zA-Z0-9-_:]{1,100}>.");
}

DittoError ConnectionIdNotSettable() {
  return Make(400, "connectivity:id.notsettable",
              "It is not allowed to provide an explicit ID for a connection.",
              "Remove the ID from the connection as it will be generated.");
}

DittoError ConnectionFailed(std::string_view id, std::string description) {
  return Make(504, "connectivity:connection.failed",
              "The Connection with ID " + Quote(id) + " failed to connect.",
              description.empty() ? "The requested Connection could not be connected due to an "
                                    "internal failure of the underlying driver."
                                  : std::move(description));
}

DittoError ConnectionUnavailable(std::string_view id) {
  return Make(503, "connectivity:connection.unavailable",
              "The Connection with ID " + Quote(id) + " is not available, please try again later.",
              "The requested Connection is temporarily not available, please retry the performed "
              "action in order to improve resiliency.");
}

DittoError ConnectionTimeout(std::string_view operation, std::string_view id) {
  return Make(503, "connectivity:connection.timeout",
              "The operation " + Quote(operation) + " on connection " + Quote(id) + " timed out.",
              "The Connection did not answer within timeout.");
}

DittoError CommandInvalid(std::string_view command) {
  return Make(400, "connectivity:command.invalid",
              "The command <" + std::string(command) + "> is invalid or unknown.",
              "Choose from one of the valid commands, e.g. <connectivity.commands:openConnection>.");
}

DittoError PreconditionFailed(std::string_view header, std::string_view header_value,
                              std::string_view actual_etag) {
  return Make(412, "connectivity:precondition.failed",
              "The comparison of precondition header " + Quote(header) +
                  " for the requested connection resource evaluated to false. Header value: " +
                  Quote(header_value) + ", actual entity-tag: " + Quote(actual_etag) + ".",
              "The comparison of the provided precondition header with the current entity-tag "
              "failed. Please check your precondition header value.");
}

DittoError PreconditionNotModified(std::string_view expected, std::string_view actual) {
  return Make(304, "connectivity:precondition.notmodified",
              "The comparison of precondition header 'if-none-match' for the requested connection "
              "resource evaluated to false. Expected: " +
                  Quote(expected) + " not to match actual: " + Quote(actual) + ".",
              "The comparison of the provided precondition header with the current entity-tag "
              "failed. Please check your precondition header value.");
}

DittoError HistoryNotFoundAtRevision(std::string_view id, uint64_t revision) {
  return Make(404, "connectivity:connection.history.notfound",
              "The Connection with ID " + Quote(id) + " at revision '" + std::to_string(revision) +
                  "' could not be found or requester had insufficient permissions to access it.",
              "Check if the ID and the revision of your requested Connection were correct and "
              "you have sufficient permissions.");
}

DittoError HistoryNotFoundAtTimestamp(std::string_view id, std::string_view timestamp) {
  return Make(404, "connectivity:connection.history.notfound",
              "The Connection with ID " + Quote(id) + " at timestamp " + Quote(timestamp) +
                  " could not be found or requester had insufficient permissions to access it.",
              "Check if the ID and the timestamp of your requested Connection were correct and "
              "you have sufficient permissions.");
}

DittoError TopicInvalid(std::string_view topic, std::string_view hint) {
  return Make(400, "connectivity:topic.invalid",
              "The topic " + Quote(topic) + " could not be parsed.",
              hint.empty() ? "Check if the format is the expected one."
                           : Quote(hint) + " - check if the format is the expected one.");
}

DittoError AcknowledgementLabelInvalid(std::string_view label) {
  DittoError error = Make(400, "acknowledgement:label.invalid",
                          "Acknowledgement label <" + std::string(label) + "> is invalid.",
                          "An acknowledgement label must conform to the regular expression of Ditto "
                          "documentation.");
  error.href =
      "https://www.eclipse.dev/ditto/protocol-specification-topic.html"
      "#acknowledgement-criterion-actions";
  return error;
}

DittoError AcknowledgementLabelNotUnique(std::string message, std::string description) {
  return Make(409, "acknowledgement:label.not.unique", std::move(message), std::move(description));
}

DittoError RqlExpressionInvalid(std::string message) {
  return Make(400, "rql.expression.invalid", std::move(message),
              "Ensure that all opening parentheses have also closing ones and that the RQL "
              "expression is valid.");
}

DittoError PlaceholderUnresolved(std::string_view placeholder) {
  return Make(400, "placeholder:unresolved",
              "The placeholder " + Quote(placeholder) + " could not be resolved.",
              "Some placeholders could not be resolved. Check the spelling of the placeholder and "
              "make sure all required headers are set.");
}

DittoError PlaceholderFunctionUnknown(std::string_view expression) {
  return Make(400, "placeholder:function.unknown",
              "The function <" + std::string(expression) + "> is not known.",
              "Ensure to only use supported functions. Check if you maybe just forgot to use "
              "parentheses for a function with empty parameters.");
}

DittoError PlaceholderFunctionSignatureInvalid(std::string_view function_name,
                                               std::string_view invoked_parameters,
                                               std::string_view signature) {
  const std::string name(function_name);
  return Make(400, "placeholder:function.signature.invalid",
              "The function signature <fn:" + name + std::string(invoked_parameters) +
                  "> could not be parsed.",
              "Ensure to conform to the function's signature: <fn:" + name +
                  std::string(signature) + ">");
}

DittoError PlaceholderFunctionTooComplex(int functions_max) {
  return Make(400, "placeholder:function.too.complex",
              "The placeholder functions are not accepted as they are too complex.",
              "Please reduce the complexity (e.g. amount of chained functions below the maximum of '" +
                  std::to_string(functions_max) + "') of the functions.");
}

DittoError ThingFieldSelectionInvalid(std::string_view selection) {
  // Ditto appends Java's List#toString of its selectable-field patterns.
  return Make(400, "things:field.selection.invalid",
              "Thing field selection <" + std::string(selection) + "> was not valid.",
              "Please provide a comma separated List of valid Thing fields. Make sure that you did "
              "not use a space after a comma. Valid Fields are: [thingId, policyId, definition, "
              "_namespace, _revision, _created, _modified, _metadata(/[^,]+)?, _policy, _context, "
              "_context(/[^,]+)?, features(/[^,]+)?, attributes(/[^,]+)?]");
}

DittoError StorageUnavailable() {
  return Make(503, "connectivity:connection.unavailable",
              "The connection journal refuses writes after a storage failure; the change may not "
              "have been stored.",
              "Reads still work. Restart the service once the storage problem (a failing disk) is "
              "fixed, then check the connection.");
}

DittoError StorageFull() {
  return Make(503, "connectivity:connection.unavailable",
              "The disk of the connection journal is nearly full; no change was made.",
              "Reads still work. Writes are accepted again as soon as the disk has room (free "
              "space above --disk-headroom); retry then.");
}

}  // namespace connectivity::model
