#include "engine/journal.h"

#include <charconv>

namespace ember {
namespace {

void AppendHeader(std::string* out, char kind, size_t n) {
  char buf[24];
  buf[0] = kind;
  char* end = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n).ptr;
  *end++ = '\r';
  *end++ = '\n';
  out->append(buf, static_cast<size_t>(end - buf));
}

}  // namespace

void AppendRespBulk(std::string* out, std::string_view bulk) {
  AppendHeader(out, '$', bulk.size());
  out->append(bulk);
  out->append("\r\n", 2);
}

void AppendRespCommand(std::string* out, std::span<const std::string_view> argv) {
  AppendHeader(out, '*', argv.size());
  for (std::string_view arg : argv) AppendRespBulk(out, arg);
}

void Journal::SelectDb(int db) {
  if (db == chunk_db_) return;
  char digits[12];
  auto len = static_cast<size_t>(std::to_chars(digits, digits + sizeof(digits), db).ptr - digits);
  std::string_view select[] = {"SELECT", std::string_view(digits, len)};
  AppendRespCommand(&pending_, select);
  chunk_db_ = db;
}

void Journal::Append(int db, std::span<const std::string_view> argv) {
  SelectDb(db);
  AppendRespCommand(&pending_, argv);
}

void Journal::AppendEncoded(int db, std::string_view records) {
  SelectDb(db);
  pending_.append(records);
}

uint64_t Journal::Flush(JournalSink& sink) {
  if (pending_.empty()) return 0;
  uint64_t offset = sink.Append(pending_);
  // A burst (a big MSET, a rewrite of many keys) may have grown the buffer: let it go.
  constexpr size_t kKeepBytes = 1 << 20;
  if (pending_.capacity() > kKeepBytes) {
    std::string().swap(pending_);
  } else {
    pending_.clear();
  }
  chunk_db_ = -1;
  return offset;
}

void Propagation::Add(std::span<const std::string_view> argv) {
  if (count_ < 0) count_ = 0;
  AppendRespCommand(&records_, argv);
  ++count_;
}

}  // namespace ember
