#include "engine/key_prefetcher.h"

#include <cstring>

#include "engine/engine.h"
#include "keyspace/database.h"
#include "keyspace/segmented_table.h"

namespace ember {
namespace {

// Parses "<prefix><digits>\r\n" at *pos; advances past it.
bool ReadHeader(std::string_view in, size_t* pos, char prefix, size_t* value) {
  if (*pos >= in.size() || in[*pos] != prefix) return false;
  size_t v = 0, i = *pos + 1, digits = 0;
  for (; i < in.size() && in[i] >= '0' && in[i] <= '9'; ++i, ++digits) {
    if (digits == 10) return false;
    v = v * 10 + static_cast<size_t>(in[i] - '0');
  }
  if (digits == 0 || i + 1 >= in.size() || in[i] != '\r' || in[i + 1] != '\n') return false;
  *pos = i + 2;
  *value = v;
  return true;
}

}  // namespace

void KeyPrefetcher::Reset(std::string_view input, const Engine& engine, uint32_t home) {
  input_ = input;
  engine_ = &engine;
  home_ = home;
  scan_pos_ = 0;
  scan_done_ = false;
  head_ = count_ = 0;
}

bool KeyPrefetcher::ScanNext(Ahead* out) {
  size_t pos = scan_pos_, argc = 0, len = 0;
  if (!ReadHeader(input_, &pos, '*', &argc) || argc < 2) return false;
  std::string_view key;
  for (size_t arg = 0; arg < argc; ++arg) {
    if (!ReadHeader(input_, &pos, '$', &len) || input_.size() - pos < len + 2) return false;
    if (arg == 1) key = input_.substr(pos, len);
    pos += len + 2;
  }
  out->start = scan_pos_;
  out->local = engine_->ShardOfKey(key) == home_;
  out->hash = out->local ? HashKey(key) : 0;
  scan_pos_ = pos;
  return true;
}

void KeyPrefetcher::Advance(size_t pos, const Database& db) {
  while (count_ > 0 && ring_[head_].start <= pos) {  // the current command and any before it
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
  if (scan_pos_ <= pos && !scan_done_) scan_pos_ = pos;  // resync: never scan behind
  while (!scan_done_ && count_ < kSlotsAhead) {
    Ahead next;
    if (!ScanNext(&next)) {
      scan_done_ = true;
      break;
    }
    if (next.start == pos) continue;  // the command about to run: too late to help
    if (next.local) db.PrefetchSlots(next.hash);
    ring_[(head_ + count_) % ring_.size()] = next;
    ++count_;
  }
  if (count_ > 0 && ring_[head_].local) db.PrefetchRecord(ring_[head_].hash);
}

}  // namespace ember
