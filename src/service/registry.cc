#include "src/service/registry.h"

#include <atomic>
#include <optional>
#include <utility>

namespace connectivity::service {

ConnectionRegistry::~ConnectionRegistry() {
  std::list<SerializedTask> dropped;
  {
    WriterLock lock(mutex_);
    for (auto& [id, entry] : entries_) {
      MutexLock entry_lock(entry->mutex);
      dropped.splice(dropped.end(), entry->waiting);
    }
  }
  // Destroyed here, without the locks: a task's captures may run destructors of their own.
}

std::shared_ptr<Entry> ConnectionRegistry::Find(std::string_view id) const {
  ReaderLock lock(mutex_);
  const auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second;
}

std::shared_ptr<Entry> ConnectionRegistry::FindOrCreate(std::string_view id) {
  if (std::shared_ptr<Entry> existing = Find(id)) return existing;
  WriterLock lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(std::string(id));
  if (inserted) it->second = std::make_shared<Entry>();
  return it->second;
}

void ConnectionRegistry::Load(std::vector<projector::ConnectionState>&& states) {
  WriterLock lock(mutex_);
  for (projector::ConnectionState& state : states) {
    std::string id = state.id;
    auto entry = std::make_shared<Entry>(std::make_shared<const projector::ConnectionState>(std::move(state)));
    // Sorted input: inserting at the end is O(1).
    entries_.emplace_hint(entries_.end(), std::move(id), std::move(entry));
  }
  states.clear();
}

void ConnectionRegistry::ForEach(
    const std::function<void(const std::string&, Entry&)>& visit) const {
  ReaderLock lock(mutex_);
  for (const auto& [id, entry] : entries_) visit(id, *entry);
}

void ConnectionRegistry::ForEachAfter(
    std::string_view after_id, const std::function<bool(const std::string&, Entry&)>& visit) const {
  ReaderLock lock(mutex_);
  auto it = after_id.empty() ? entries_.begin() : entries_.upper_bound(after_id);
  for (; it != entries_.end(); ++it) {
    if (!visit(it->first, *it->second)) return;
  }
}

size_t ConnectionRegistry::size() const {
  ReaderLock lock(mutex_);
  return entries_.size();
}

namespace {

// Pops the next waiting task, or marks the entry idle if there is none.
std::optional<SerializedTask> NextTask(Entry& entry) {
  MutexLock lock(entry.mutex);
  if (entry.waiting.empty()) {
    entry.busy = false;
    return std::nullopt;
  }
  SerializedTask next = std::move(entry.waiting.front());
  entry.waiting.pop_front();
  return next;
}

// Runs tasks until one finishes asynchronously. A task that finishes before
// returning (an answer without a journal write) continues this loop instead
// of recursing, so a long queue cannot grow the stack.
void RunTasks(const std::shared_ptr<Entry>& entry, SerializedTask task) {
  while (true) {
    // 0: running, 1: finished synchronously, 2: this loop returned first.
    auto handoff = std::make_shared<std::atomic<int>>(0);
    task([entry, handoff]() {
      int expected = 0;
      if (handoff->compare_exchange_strong(expected, 1)) return;  // the loop continues
      if (std::optional<SerializedTask> next = NextTask(*entry)) RunTasks(entry, std::move(*next));
    });
    int expected = 0;
    if (handoff->compare_exchange_strong(expected, 2)) return;  // finishes later, asynchronously
    std::optional<SerializedTask> next = NextTask(*entry);
    if (!next) return;
    task = std::move(*next);
  }
}

}  // namespace

bool RunSerialized(const std::shared_ptr<Entry>& entry, SerializedTask task, size_t waiting_max) {
  {
    MutexLock lock(entry->mutex);
    if (entry->busy) {
      if (entry->waiting.size() >= waiting_max) return false;
      entry->waiting.push_back(std::move(task));
      return true;
    }
    entry->busy = true;
  }
  RunTasks(entry, std::move(task));
  return true;
}

}  // namespace connectivity::service
