#include "tests/simulation/sim_disk.h"

namespace connectivity::simulation {

Status SimDisk::Write(const Mutation& mutation, bool sync) {
  if (frozen_) return Status::IOError("simulated power loss: the disk is gone");
  if (!error_.ok()) return error_;
  if (next_fault_ == SimFault::kFailWrite) {
    next_fault_.reset();
    error_ = Status::IOError("simulated write failure");
    return error_;
  }
  mutation(current_);
  unsynced_.push_back(mutation);
  if (next_fault_ == SimFault::kFailSync && sync) {
    next_fault_.reset();
    error_ = Status::IOError("simulated fsync failure");
    return error_;
  }
  if (sync) return Flush();
  return Status::Ok();
}

Status SimDisk::Flush() {
  if (frozen_) return Status::IOError("simulated power loss: the disk is gone");
  if (!error_.ok()) return error_;
  for (const Mutation& mutation : unsynced_) mutation(durable_);
  unsynced_.clear();
  return Status::Ok();
}

void SimDisk::Crash(size_t survivors) {
  for (size_t i = 0; i < survivors && i < unsynced_.size(); ++i) unsynced_[i](durable_);
  unsynced_.clear();
  current_ = durable_;
  frozen_ = true;
}

void SimDisk::Restart() {
  frozen_ = false;
  error_ = Status::Ok();
  next_fault_.reset();
}

}  // namespace connectivity::simulation
