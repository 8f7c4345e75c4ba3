#pragma once
// Incremental, zero-copy RESP request parser.
//
// Parse() is handed the unconsumed bytes of a connection's read buffer, starting at a command
// boundary. Multibulk arguments come back as views into that buffer (no copies); inline commands
// (telnet style) are unescaped into parser-owned storage. When a command is incomplete the parser
// remembers how far it got, so a client that dribbles a huge command byte by byte costs O(n),
// not O(n^2). Limits and error texts follow Redis ("Protocol error: ...").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

struct ParserLimits {
  int64_t max_bulk_len = 512ll * 1024 * 1024;  // proto-max-bulk-len
  int64_t max_multibulk_len = INT32_MAX;
  size_t max_inline_len = 64 * 1024;
  // The client has not authenticated while a password is required: like Redis, refuse
  // multibulk counts over 10 and bulks over 16 KiB before it has.
  bool unauthenticated = false;
};

class RespParser {
 public:
  enum class Status { kComplete, kNeedMore, kError };

  explicit RespParser(ParserLimits limits = {}) : limits_(limits) {}

  // On kComplete, *consumed is the command's size and Args() holds its arguments (possibly none,
  // for an empty line or "*0"): views valid until the buffer changes or Parse() is called again.
  Status Parse(std::string_view buf, size_t* consumed);
  const std::vector<std::string_view>& Args() const { return args_; }
  const std::string& Error() const { return error_; }
  // Total bytes the command being parsed is known to need (to size the read buffer for big bulks).
  size_t BytesNeededHint() const { return needed_hint_; }
  void set_max_bulk_len(int64_t len) { limits_.max_bulk_len = len; }
  void set_unauthenticated(bool unauthenticated) { limits_.unauthenticated = unauthenticated; }

 private:
  Status ParseMultibulk(std::string_view buf, size_t* consumed);
  Status ParseInline(std::string_view buf, size_t* consumed);
  Status Fail(const char* message);
  void ResetState();

  ParserLimits limits_;
  std::vector<std::string_view> args_;
  std::string error_;
  std::string inline_storage_;
  // Resumable state of a multibulk command in progress (offsets from the command start).
  bool in_multibulk_ = false;
  int64_t args_expected_ = 0;
  size_t scan_pos_ = 0;
  std::vector<std::pair<size_t, size_t>> arg_spans_;
  size_t needed_hint_ = 0;
};

// Splits an inline command line like redis-cli/sdssplitargs: quotes, escapes, \xHH.
// Returns false on unbalanced quotes. Arguments are appended to storage, spans to out.
bool SplitInlineArgs(std::string_view line, std::string& storage,
                     std::vector<std::pair<size_t, size_t>>& out);

}  // namespace ember
