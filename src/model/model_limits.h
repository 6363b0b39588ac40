// Limits of the connection model (SPEC §5: "a clear 4xx when passed"). All in one place so that
// their relations can be checked at compile time.
#ifndef CONNECTIVITY_MODEL_MODEL_LIMITS_H_
#define CONNECTIVITY_MODEL_MODEL_LIMITS_H_

#include <cstddef>

namespace connectivity::model {

// Largest connection JSON text the model parses. The HTTP body limit (default 1 MiB) is normally
// hit first; this bound protects the journal-recovery and import paths, too.
inline constexpr size_t kConnectionJsonBytesMax = size_t{16} << 20;

// Deepest nesting of arrays and objects. A real connection nests about 6 levels (connection ->
// sources -> source -> replyTarget -> headerMapping); mapping options may add some more.
inline constexpr size_t kJsonDepthMax = 64;

// Most JSON values (of any kind) in one document. Bounds the memory one request can pin: a node is
// about 100 bytes, so 200k nodes are about 20 MB. A 64 KiB connection has about 3k nodes.
inline constexpr size_t kJsonNodeCountMax = 200'000;

// Longest connection id (REF §3.2, `[a-zA-Z0-9-_:]{1,100}`).
inline constexpr size_t kConnectionIdLengthMax = 100;

static_assert(kJsonDepthMax >= 16, "a connection needs about 6 levels, mapping options more");
static_assert(kJsonNodeCountMax * 2 >= (size_t{1} << 18), "a 64 KiB connection must fit easily");

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_MODEL_LIMITS_H_
