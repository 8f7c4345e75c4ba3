// libedit glue. Hints are drawn by the character reader: libedit has redrawn the line when it
// asks for the next key, so the hint is written after the cursor in grey and erased again as
// soon as the key arrives, before libedit draws anything (libedit itself never knows of it).
#include "cli/line_editor.h"

#include <histedit.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "cli/transport.h"
#include "protocol/resp_parser.h"

namespace ember::cli {
namespace {

LineEditor* Self(EditLine* el) {
  void* data = nullptr;
  el_get(el, EL_CLIENTDATA, &data);
  return static_cast<LineEditor*>(data);
}

char* PromptTrampoline(EditLine* el) {
  return const_cast<char*>(Self(el)->PromptText());
}
unsigned char CompleteTrampoline(EditLine* el, int) {
  return Self(el)->CompleteWord();
}
int GetcTrampoline(EditLine* el, wchar_t* out) {
  return Self(el)->ReadChar(out);
}

// Words of the text before the cursor, split the way commands are (quotes, escapes).
bool SplitWords(const std::string& text, std::vector<std::string>& words) {
  std::string storage;
  std::vector<std::pair<size_t, size_t>> spans;
  if (!ember::SplitInlineArgs(text, storage, spans)) return false;
  for (auto [start, len] : spans) words.push_back(storage.substr(start, len));
  return true;
}

int TerminalColumns() {
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

LineEditor::LineEditor(const CommandCatalog& catalog, std::string history_path)
    : catalog_(catalog), history_path_(std::move(history_path)) {
  history_ = history_init();
  HistEvent ev;
  ::history(history_, &ev, H_SETSIZE, 1000);
  if (!history_path_.empty()) ::history(history_, &ev, H_LOAD, history_path_.c_str());
  el_ = el_init("ember-cli", stdin, stdout, stderr);
  el_set(el_, EL_CLIENTDATA, this);
  el_set(el_, EL_EDITOR, "emacs");
  el_set(el_, EL_PROMPT, PromptTrampoline);
  el_set(el_, EL_HIST, ::history, history_);
  // The wide form keeps the static strings; the narrow one copies them and never frees them.
  el_wset(el_, EL_ADDFN, L"ember-complete", L"Complete a command name or subcommand",
          CompleteTrampoline);
  el_set(el_, EL_BIND, "^I", "ember-complete", nullptr);
  el_set(el_, EL_GETCFN, GetcTrampoline);
  el_source(el_, nullptr);  // ~/.editrc, as every libedit program
}

LineEditor::~LineEditor() {
  if (el_ != nullptr) el_end(el_);
  if (history_ != nullptr) history_end(history_);
}

std::optional<std::string> LineEditor::ReadLine(const std::string& prompt) {
  prompt_ = prompt;
  int count = 0;
  const char* line = el_gets(el_, &count);
  if (line == nullptr) return std::nullopt;
  std::string text(line, static_cast<size_t>(count));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

void LineEditor::Remember(const std::string& line) {
  HistEvent ev;
  ::history(history_, &ev, H_ENTER, line.c_str());
  if (!history_path_.empty()) ::history(history_, &ev, H_SAVE, history_path_.c_str());
}

unsigned char LineEditor::CompleteWord() {
  const LineInfo* li = el_line(el_);
  std::string before(li->buffer, li->cursor);
  std::vector<std::string> words;
  if (!SplitWords(before, words)) return CC_ERROR;
  std::string partial;
  if (!before.empty() && before.back() != ' ' && !words.empty()) {
    partial = words.back();
    words.pop_back();
  }
  std::vector<std::string> found = catalog_.Complete(words, partial);
  if (found.empty()) return CC_ERROR;
  // Completions follow the case the word was started in.
  bool lower = !partial.empty() && std::islower(static_cast<unsigned char>(partial[0]));
  if (lower) {
    for (std::string& f : found)
      for (char& c : f) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string common = found[0];
  for (const std::string& f : found) {
    size_t n = 0;
    while (n < common.size() && n < f.size() && common[n] == f[n]) ++n;
    common.resize(n);
  }
  if (found.size() == 1) common += ' ';
  if (common.size() > partial.size()) {
    el_deletestr(el_, static_cast<int>(partial.size()));
    el_insertstr(el_, common.c_str());
    return CC_REFRESH;
  }
  // Nothing to add: list the candidates under the line.
  std::string list = "\n";
  size_t width = 0;
  for (const std::string& f : found) width = std::max(width, f.size());
  size_t per_row = std::max<size_t>(1, static_cast<size_t>(TerminalColumns()) / (width + 2));
  for (size_t i = 0; i < found.size(); ++i) {
    list += found[i];
    list += (i + 1) % per_row == 0 || i + 1 == found.size()
                ? "\n"
                : std::string(width + 2 - found[i].size(), ' ');
  }
  std::fputs(list.c_str(), stdout);
  return CC_REDISPLAY;
}

int LineEditor::ReadChar(wchar_t* out) {
  bool shown = false;
  if (hints_) {
    const LineInfo* li = el_line(el_);
    if (li->cursor == li->lastchar && li->buffer != li->lastchar) {
      std::string text(li->buffer, li->lastchar);
      std::vector<std::string> words;
      if (SplitWords(text, words) && !words.empty()) {
        std::string hint = catalog_.Hint(words, text.back() == ' ');
        int room = TerminalColumns() - static_cast<int>(prompt_.size() + text.size()) - 1;
        if (!hint.empty() && room > 0) {
          if (static_cast<int>(hint.size()) > room) hint.resize(room);
          std::printf("\x1b[90m%s\x1b[0m\x1b[%zuD", hint.c_str(), hint.size());
          std::fflush(stdout);
          shown = true;
        }
      }
    }
  }
  unsigned char bytes[4];
  int need = 1;
  for (int got = 0; got < need;) {
    ssize_t n = read(STDIN_FILENO, bytes + got, 1);
    if (n < 0 && errno == EINTR && !g_interrupted) continue;
    if (n <= 0) {
      if (shown) std::fputs("\x1b[K", stdout);
      return n == 0 ? 0 : -1;
    }
    if (got == 0) {  // a UTF-8 lead byte says how many follow
      need = bytes[0] < 0x80    ? 1
             : bytes[0] >= 0xf0 ? 4
             : bytes[0] >= 0xe0 ? 3
             : bytes[0] >= 0xc0 ? 2
                                : 1;
    }
    ++got;
  }
  if (shown) {
    std::fputs("\x1b[K", stdout);
    std::fflush(stdout);
  }
  wchar_t wc = need == 1 ? bytes[0] : bytes[0] & (0x7f >> need);
  for (int i = 1; i < need; ++i) wc = (wc << 6) | (bytes[i] & 0x3f);
  *out = wc;
  return 1;
}

}  // namespace ember::cli
