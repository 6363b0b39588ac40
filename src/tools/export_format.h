// The export format of journal-replay (export writes it, import reads it):
// JSON lines, UTF-8, each line ended by '\n'.
//
//   file    := header event*
//   header  := {"format":"connectivity-journal-export","version":1,"events":N}
//   event   := {"sequence":S,"timestamp":"ISO-8601 with µs","connectionId":"ID",
//               "revision":R,"type":"connectivity.events:<name>"[,"_metadata":M]
//               [,"connection":C]}
//   M       := {"audit":{"user":U,"clientAddress":A,"correlationId":"...","route":"rest"|"piggyback"}}
//              U, A: a string, or null for none
//
// Events come in sequence order, S = 1..N without gaps; `timestamp` is the
// commit time to the microsecond (SPEC §4.4); `connection` is present for
// connectionCreated / connectionModified only and holds the event's payload
// byte for byte: the connection JSON as the server stored it (without the
// hidden fields __lifecycle, _revision, _created, _modified, which the fold
// derives). It is the last member, so that a reader can take its bytes
// exactly; every other member is a scalar, except `_metadata`, an object of
// fixed keys and scalar values (no `,"connection":` can occur in it outside
// a string). `_metadata` is the event's audit section (who caused it,
// src/projector/event_payload.h), in the shape of the event JSON's
// `_metadata`; events without one (written before the audit trail) have no
// `_metadata` member, so exports of such journals are what they were, and
// still version 1 (a build before the audit trail refuses a file with
// `_metadata`, naming the member). The header's N lets import tell
// a complete file from a truncated one.
//
// The writer is deterministic (nothing but the journal's content goes into
// the output), so export -> import -> export gives the same bytes.
#ifndef CONNECTIVITY_SRC_TOOLS_EXPORT_FORMAT_H_
#define CONNECTIVITY_SRC_TOOLS_EXPORT_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "journal/event.h"
#include "src/base/status.h"

namespace connectivity::tools {

inline constexpr std::string_view kExportFormatName = "connectivity-journal-export";
inline constexpr uint64_t kExportFormatVersion = 1;
// The longest line a reader accepts: the largest payload the journal takes,
// with room for the other members (an id is at most 1 KiB).
inline constexpr size_t kExportLineBytesMax = (16u << 20) + (8u << 10);

// Appends the header / one event line (with its '\n') to `out`.
void AppendExportHeader(uint64_t events, std::string* out);
// kCorruption if the event's type is unknown or its payload does not fit
// its type (the journal holds something the server never writes).
Status AppendExportEvent(const journal::Event& event, std::string* out);

// `line` without its '\n'. kInvalidArgument names what is wrong.
Result<uint64_t> ParseExportHeader(std::string_view line);
// Fills `event` (stream, revision, sequence, timestamp_us, type, payload).
Status ParseExportEvent(std::string_view line, journal::Event* event);

}  // namespace connectivity::tools

#endif  // CONNECTIVITY_SRC_TOOLS_EXPORT_FORMAT_H_
