#include "src/http/command_responses.h"

#include "src/base/json_writer.h"

namespace connectivity::http {

std::string ConnectionResponse(std::string_view type, int status, std::string_view connection_json) {
  std::string out;
  out.reserve(connection_json.size() + 96);
  JsonWriter w(out);
  w.BeginObject().Member("type", type).MemberInt("status", status);
  w.Key("connection").Raw(connection_json);
  w.EndObject();
  return out;
}

std::string ConnectionIdResponse(std::string_view type, int status, std::string_view id) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Member("type", type).MemberInt("status", status).Member("connectionId", id);
  w.EndObject();
  return out;
}

std::string StringListResponse(std::string_view type, int status, std::string_view member,
                               const std::vector<std::string>& values) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Member("type", type).MemberInt("status", status);
  w.Key(member).BeginArray();
  for (const std::string& value : values) w.String(value);
  w.EndArray().EndObject();
  return out;
}

std::string DevOpsErrorResponse(std::string_view instance, const model::DittoError& error) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject()
      .Member("type", "devops.responses:errorResponse")
      .MemberInt("status", error.status)
      .Member("serviceName", "connectivity")
      .Member("instance", instance);
  w.Key("payload").Raw(error.ToJson());
  w.EndObject();
  return out;
}

}  // namespace connectivity::http
