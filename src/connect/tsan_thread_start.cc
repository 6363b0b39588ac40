// Only in ThreadSanitizer builds (scripts/build --sanitize thread; CONNECTIVITY_SANITIZE_THREAD).
//
// Why: librdkafka starts its threads with C11 thrd_create, and Debian 12's glibc runs that past
// the pthread_create that GCC 12's TSan intercepts. TSan then has no proper state for those
// threads, and crashed (SIGSEGV inside TSan) as soon as code on them was instrumented: our
// Kafka callbacks, or a report about a free() in librdkafka. This definition of thrd_create,
// linked into the executables (the link asks for it with --undefined=thrd_create) and found
// before libc's by librdkafka's dynamic lookup, starts the thread through pthread_create, so
// TSan sees every Kafka thread start and end like any other.
//
// glibc's thrd_t is a pthread_t; a C11 thread's int result travels as the pthread's void*
// result, as glibc's own thrd_create does. thrd_join and thrd_detach are ours too, for the same
// reason: glibc's call its internal join and detach, which TSan does not see either, so it took
// every joined Kafka thread for a leaked one.
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

namespace {

struct ThreadStart {
  thrd_start_t function;
  void* argument;
};

void* RunThreadStart(void* start_pointer) {
  const ThreadStart start = *static_cast<ThreadStart*>(start_pointer);
  delete static_cast<ThreadStart*>(start_pointer);
  return reinterpret_cast<void*>(static_cast<intptr_t>(start.function(start.argument)));
}

}  // namespace

extern "C" int thrd_create(thrd_t* thread, thrd_start_t function, void* argument) {
  auto* start = new (std::nothrow) ThreadStart{function, argument};
  if (start == nullptr) return thrd_nomem;
  pthread_t created;
  const int rc = pthread_create(&created, nullptr, RunThreadStart, start);
  if (rc != 0) {
    delete start;
    return rc == ENOMEM || rc == EAGAIN ? thrd_nomem : thrd_error;
  }
  *thread = created;
  return thrd_success;
}

extern "C" int thrd_join(thrd_t thread, int* result) {
  void* returned = nullptr;
  if (pthread_join(thread, &returned) != 0) return thrd_error;
  if (result != nullptr) *result = static_cast<int>(reinterpret_cast<intptr_t>(returned));
  return thrd_success;
}

extern "C" int thrd_detach(thrd_t thread) { return pthread_detach(thread) == 0 ? thrd_success : thrd_error; }
