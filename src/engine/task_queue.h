#pragma once
// Lock-free multi-producer single-consumer queue of intrusive tasks (Vyukov's design):
// producers pay one atomic exchange, the owning thread pops without atomics contention.
#include <atomic>

namespace ember {

struct Task {
  virtual ~Task() = default;
  virtual void Run() = 0;
  std::atomic<Task*> next_task{nullptr};
};

class TaskQueue {
 public:
  TaskQueue() : head_(&stub_), tail_(&stub_) {}
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Any thread.
  void Push(Task* task) {
    task->next_task.store(nullptr, std::memory_order_relaxed);
    Task* prev = head_.exchange(task, std::memory_order_acq_rel);
    prev->next_task.store(task, std::memory_order_release);
  }

  // Owner thread only. Returns nullptr when empty (or a push is half-way done).
  Task* Pop() {
    Task* tail = tail_;
    Task* next = tail->next_task.load(std::memory_order_acquire);
    if (tail == &stub_) {
      if (next == nullptr) return nullptr;
      tail_ = next;
      tail = next;
      next = next->next_task.load(std::memory_order_acquire);
    }
    if (next != nullptr) {
      tail_ = next;
      return tail;
    }
    if (tail != head_.load(std::memory_order_acquire)) return nullptr;  // push in progress
    Push(&stub_);
    next = tail->next_task.load(std::memory_order_acquire);
    if (next != nullptr) {
      tail_ = next;
      return tail;
    }
    return nullptr;
  }

  bool LooksEmpty() const {
    return tail_ == &stub_ && stub_.next_task.load(std::memory_order_acquire) == nullptr;
  }

 private:
  struct Stub : Task {
    void Run() override {}
  };
  std::atomic<Task*> head_;
  Task* tail_;
  Stub stub_;
};

// A shard thread's inbox: the queue plus an eventfd that wakes the thread's event loop.
// The thread announces when it is about to sleep, so producers write the eventfd only then.
class Mailbox {
 public:
  Mailbox();
  ~Mailbox();
  void Post(Task* task);
  // Owner: call before blocking in the event loop; returns false if work arrived meanwhile.
  bool PrepareToSleep();
  void WokeUp() { sleeping_.store(false, std::memory_order_relaxed); }
  Task* Pop() { return queue_.Pop(); }
  int event_fd() const { return event_fd_; }
  void DrainEventFd();
  void Wake();

 private:
  TaskQueue queue_;
  std::atomic<bool> sleeping_{false};
  int event_fd_;
};

}  // namespace ember
