// Mutex, MutexLock, CondVar, SharedMutex: std::mutex and its friends with
// Clang's thread-safety attributes, so that "guarded by" is a checked fact
// rather than a comment. A clang build with -Wthread-safety
// (scripts/build --thread-safety) fails on a GUARDED_BY field touched
// without its mutex, a REQUIRES function called without it, or an EXCLUDES
// function called with it. GCC ignores the attributes.
//
//   Mutex mutex_;
//   int count_ GUARDED_BY(mutex_) = 0;
//   void Add() EXCLUDES(mutex_) { MutexLock lock(mutex_); ++count_; }
//
// Waiting: the condition is checked by the caller, under the lock, in a
// loop, where the analysis sees it:
//   MutexLock lock(mutex_);
//   while (queue_.empty() && !stopping_) wake_.Wait(lock);
#ifndef CONNECTIVITY_BASE_MUTEX_H_
#define CONNECTIVITY_BASE_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define CONNECTIVITY_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define CONNECTIVITY_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) CONNECTIVITY_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY CONNECTIVITY_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) CONNECTIVITY_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) CONNECTIVITY_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) CONNECTIVITY_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) CONNECTIVITY_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) CONNECTIVITY_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) CONNECTIVITY_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) CONNECTIVITY_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) CONNECTIVITY_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) CONNECTIVITY_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define EXCLUDES(...) CONNECTIVITY_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS CONNECTIVITY_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace connectivity {

class CondVar;

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mutex_.lock(); }
  void Unlock() RELEASE() { mutex_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mutex_;
};

// Holds `mutex` for its scope; Unlock()/Lock() release and retake it inside
// the scope (to run a callback or wait on I/O without it).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : lock_(mutex.mutex_) {}
  ~MutexLock() RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() RELEASE() { lock_.unlock(); }
  void Lock() ACQUIRE() { lock_.lock(); }

 private:
  friend class CondVar;
  std::unique_lock<std::mutex> lock_;
};

class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Releases the lock while blocked; may wake spuriously (callers loop).
  void Wait(MutexLock& lock) { cv_.wait(lock.lock_); }
  // As Wait, for at most `timeout`; false if it timed out.
  template <typename Rep, typename Period>
  bool WaitFor(MutexLock& lock, std::chrono::duration<Rep, Period> timeout) {
    return cv_.wait_for(lock.lock_, timeout) == std::cv_status::no_timeout;
  }
  // As Wait, until `deadline`; false if it passed.
  template <typename Clock, typename Duration>
  bool WaitUntil(MutexLock& lock, std::chrono::time_point<Clock, Duration> deadline) {
    return cv_.wait_until(lock.lock_, deadline) == std::cv_status::no_timeout;
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

// Many readers or one writer.
class CAPABILITY("shared_mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() ACQUIRE() { mutex_.lock(); }
  void Unlock() RELEASE() { mutex_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mutex_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

class SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mutex) ACQUIRE_SHARED(mutex) : mutex_(mutex) { mutex_.LockShared(); }
  ~ReaderLock() RELEASE_GENERIC() { mutex_.UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mutex_;
};

class SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.Lock(); }
  ~WriterLock() RELEASE() { mutex_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mutex_;
};

}  // namespace connectivity

#endif  // CONNECTIVITY_BASE_MUTEX_H_
