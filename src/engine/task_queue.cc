#include "engine/task_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace ember {

Mailbox::Mailbox() : event_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Mailbox::~Mailbox() {
  if (event_fd_ >= 0) close(event_fd_);
}

void Mailbox::Post(Task* task) {
  queue_.Push(task);
  // Pairs with the fence in PrepareToSleep: either we see the sleeper, or it sees our task.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst) && sleeping_.exchange(false)) Wake();
}

void Mailbox::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(event_fd_, &one, sizeof(one));
}

bool Mailbox::PrepareToSleep() {
  sleeping_.store(true, std::memory_order_seq_cst);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!queue_.LooksEmpty()) {
    sleeping_.store(false, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void Mailbox::DrainEventFd() {
  uint64_t value;
  [[maybe_unused]] ssize_t n = read(event_fd_, &value, sizeof(value));
}

}  // namespace ember
