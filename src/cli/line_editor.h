#pragma once
// The REPL's line editor on libedit: a prompt, history in a file, TAB completion and inline
// hints from the command catalog.
#include <functional>
#include <optional>
#include <string>

#include "cli/command_catalog.h"

struct editline;
struct history;

namespace ember::cli {

class LineEditor {
 public:
  LineEditor(const CommandCatalog& catalog, std::string history_path);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Reads a line; nullopt at EOF (Ctrl-D) or Ctrl-C.
  std::optional<std::string> ReadLine(const std::string& prompt);
  // Adds a line to the history and saves the file (as redis-cli does, after every command).
  void Remember(const std::string& line);
  void set_hints(bool on) { hints_ = on; }

  // libedit callbacks (public for the C trampolines).
  const char* PromptText() const { return prompt_.c_str(); }
  unsigned char CompleteWord();
  int ReadChar(wchar_t* out);

 private:
  void ShowHint();

  const CommandCatalog& catalog_;
  std::string history_path_;
  std::string prompt_;
  editline* el_ = nullptr;
  history* history_ = nullptr;
  bool hints_ = true;
};

}  // namespace ember::cli
