#pragma once
// A small blocking RESP client: sends commands, reads whole replies (RESP2 or RESP3).
#include <string>
#include <string_view>
#include <vector>

#include "cli/reply.h"
#include "cli/transport.h"

namespace ember::cli {

// Appends args as a RESP multibulk command.
void AppendCommand(std::string& out, const std::vector<std::string>& args);

class Connection {
 public:
  bool Open(const Endpoint& endpoint, std::string& error);
  void Close();
  bool is_open() const { return transport_.is_open(); }

  // Queues bytes; Flush() writes everything queued.
  void Queue(const std::vector<std::string>& args) { AppendCommand(out_, args); }
  void QueueRaw(std::string_view bytes) { out_.append(bytes); }
  bool Flush(std::string& error);

  // Blocks for the next reply; timeout_ms < 0 waits for ever. false: connection lost, timeout
  // (error "timeout") or protocol error.
  bool ReadReply(Reply& reply, std::string& error, int timeout_ms = -1);
  // Sends one command and reads its reply.
  bool Call(const std::vector<std::string>& args, Reply& reply, std::string& error);

  // For --pipe: writes what it can of out_ and reads what has arrived, without blocking.
  // Returns false when the connection failed.
  bool PumpNonBlocking(std::string& error);
  // A complete reply already in the read buffer, if any.
  bool TakeBufferedReply(Reply& reply, std::string& error, bool& got);
  size_t pending_output() const { return out_.size() - out_sent_; }
  Transport& transport() { return transport_; }

 private:
  bool ReadSome(std::string& error, int timeout_ms);

  Transport transport_;
  std::string out_;
  size_t out_sent_ = 0;
  std::string in_;
  size_t in_start_ = 0;
  size_t last_failed_parse_size_ = 0;
};

}  // namespace ember::cli
