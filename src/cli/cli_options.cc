// Flag parsing for ember-cli. Same spellings and messages as redis-cli 7.0 so that scripts and
// fingers carry over.
#include "cli/cli_options.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ember::cli {
namespace {

bool ParseLong(const char* text, long& value) {
  char* end = nullptr;
  value = std::strtol(text, &end, 10);
  return end != text && *end == '\0';
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

const char* UsageText() {
  return "ember-cli (a redis-cli compatible client for ember)\n"
         "\n"
         "Usage: ember-cli [OPTIONS] [cmd [arg [arg ...]]]\n"
         "  -h <hostname>      Server hostname (default: 127.0.0.1).\n"
         "  -p <port>          Server port (default: 6379).\n"
         "  -s <socket>        Server socket (overrides hostname and port).\n"
         "  -a <password>      Password to use when connecting to the server.\n"
         "  --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.\n"
         "  --pass <password>  Alias of -a for consistency with the new --user option.\n"
         "  --no-auth-warning  Don't show warning message when using password on command line.\n"
         "  -u <uri>           Server URI: redis://[[user]:pass@]host[:port][/db], rediss:// for "
         "TLS.\n"
         "  -r <repeat>        Execute specified command N times (-1: for ever).\n"
         "  -i <interval>      When -r is used, waits <interval> seconds per command.\n"
         "  -n <db>            Database number.\n"
         "  -2                 Start session in RESP2 protocol mode.\n"
         "  -3                 Start session in RESP3 protocol mode.\n"
         "  -x                 Read last argument from STDIN.\n"
         "  -d <delimiter>     Delimiter between response bulks for raw formatting (default: "
         "\\n).\n"
         "  -D <delimiter>     Delimiter between responses for raw formatting (default: \\n).\n"
         "  -c                 Enable cluster mode (follow -ASK and -MOVED redirections).\n"
         "  -e                 Return exit error code when command execution fails.\n"
         "  -t <timeout>       Server connection timeout in seconds (decimals allowed).\n"
         "  --tls              Establish a secure TLS connection.\n"
         "  --sni <host>       Server name indication for TLS.\n"
         "  --cacert <file>    CA Certificate file to verify with.\n"
         "  --cacertdir <dir>  Directory where trusted CA certificates are stored.\n"
         "  --insecure         Allow insecure TLS connection by skipping cert validation.\n"
         "  --cert <file>      Client certificate to authenticate with.\n"
         "  --key <file>       Private key file to authenticate with.\n"
         "  --raw              Use raw formatting for replies (default when STDOUT is not a tty).\n"
         "  --no-raw           Force formatted output even when STDOUT is not a tty.\n"
         "  --csv              Output in CSV format.\n"
         "  --json             Output in JSON format (RESP3 unless -2 is given).\n"
         "  --show-pushes <yn> Whether to print RESP3 PUSH messages (default: yes on a tty).\n"
         "  --stat             Print rolling stats about the server: mem, clients, ...\n"
         "  --latency          Enter a special mode continuously sampling latency.\n"
         "  --latency-history  Like --latency but tracking latency changes over time\n"
         "                     (-i sets the period, default 15 s).\n"
         "  --latency-dist     Shows latency as a spectrum (-i sets the period, default 1 s).\n"
         "  --pipe             Transfer raw Redis protocol from stdin to server.\n"
         "  --pipe-timeout <n> In --pipe mode, abort with error if after sending all data,\n"
         "                     no reply is received within <n> seconds (default: 30).\n"
         "  --bigkeys          Sample keys looking for keys with many elements (complexity).\n"
         "  --memkeys          Sample keys looking for keys consuming a lot of memory.\n"
         "  --memkeys-samples <n> Like --memkeys, with MEMORY USAGE ... SAMPLES <n>.\n"
         "  --hotkeys          Sample keys looking for hot keys (needs an LFU maxmemory-policy).\n"
         "  --scan             List all keys using the SCAN command.\n"
         "  --pattern <pat>    Keys pattern when using --scan, --bigkeys or --hotkeys.\n"
         "  --count <count>    Count option when using --scan, --bigkeys or --hotkeys.\n"
         "  --eval <file>      Send an EVAL command with the Lua script at <file>: the words\n"
         "                     after the options are its keys, then \",\" and its arguments.\n"
         "  --askpass          Read the password from stdin, without echo (overrides -a).\n"
         "  --help             Output this help and exit.\n"
         "  --version          Output version and exit.\n"
         "\n"
         "Examples:\n"
         "  ember-cli -p 6379 SET hello world\n"
         "  cat /etc/passwd | ember-cli -x SET mypasswd\n"
         "  ember-cli -r 100 -i 1 INFO | grep used_memory_human:\n"
         "  ember-cli --scan --pattern 'user:*'\n"
         "\n"
         "When no command is given, ember-cli starts in interactive mode.\n"
         "Type \"help\" in interactive mode for information on available commands.\n";
}

bool ParseRedisUri(const std::string& uri, CliOptions& options, std::string& error) {
  std::string rest;
  if (uri.rfind("redis://", 0) == 0) {
    rest = uri.substr(8);
  } else if (uri.rfind("rediss://", 0) == 0) {
    rest = uri.substr(9);
    options.endpoint.tls.enabled = true;
  } else {
    error = "Invalid URI scheme";
    return false;
  }
  size_t at = rest.rfind('@');
  size_t slash_before_at = rest.find('/');
  if (at != std::string::npos && (slash_before_at == std::string::npos || at < slash_before_at)) {
    std::string credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = credentials.find(':');
    if (colon == std::string::npos) {
      options.password = PercentDecode(credentials);  // redis://pass@host, as redis-cli
    } else {
      if (colon > 0) options.user = PercentDecode(credentials.substr(0, colon));
      options.password = PercentDecode(credentials.substr(colon + 1));
    }
  }
  std::string hostport = rest;
  size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    std::string db = rest.substr(slash + 1);
    if (!db.empty()) {
      long value = 0;
      if (!ParseLong(db.c_str(), value) || value < 0) {
        error = "Invalid database number in URI: '" + db + "'";
        return false;
      }
      options.db = static_cast<int>(value);
    }
  }
  std::string host = hostport;
  if (!hostport.empty() && hostport[0] == '[') {  // [::1]:6379
    size_t close = hostport.find(']');
    if (close == std::string::npos) {
      error = "Invalid URI host: '" + hostport + "'";
      return false;
    }
    host = hostport.substr(1, close - 1);
    hostport = hostport.substr(close + 1);
    if (!hostport.empty() && hostport[0] == ':')
      hostport = hostport.substr(1);
    else
      hostport.clear();
    if (!hostport.empty()) {
      long port = 0;
      if (!ParseLong(hostport.c_str(), port) || port <= 0 || port > 65535) {
        error = "Invalid port in URI: '" + hostport + "'";
        return false;
      }
      options.endpoint.port = static_cast<int>(port);
    }
  } else {
    size_t colon = hostport.rfind(':');
    if (colon != std::string::npos) {
      host = hostport.substr(0, colon);
      std::string port_text = hostport.substr(colon + 1);
      long port = 0;
      if (!ParseLong(port_text.c_str(), port) || port <= 0 || port > 65535) {
        error = "Invalid port in URI: '" + port_text + "'";
        return false;
      }
      options.endpoint.port = static_cast<int>(port);
    }
  }
  if (!host.empty()) options.endpoint.host = host;
  return true;
}

bool ParseCliOptions(int argc, char** argv, CliOptions& options, int& exit_code) {
  options.output = isatty(STDOUT_FILENO) ? OutputMode::kStandard : OutputMode::kRaw;
  options.show_pushes = isatty(STDOUT_FILENO);
  bool json = false;
  int i = 1;
  auto bad = [&](const char* arg) {
    std::fprintf(stderr, "Unrecognized option or bad number of args for: '%s'\n", arg);
    exit_code = 1;
    return false;
  };
  for (; i < argc; ++i) {
    const char* arg = argv[i];
    bool has_value = i + 1 < argc;
    auto is = [&](const char* name) { return std::strcmp(arg, name) == 0; };
    auto number = [&](long& out) { return has_value && ParseLong(argv[++i], out); };
    if (arg[0] != '-') break;
    if (is("-h") && has_value) {
      options.endpoint.host = argv[++i];
    } else if (is("-h")) {
      std::fputs(UsageText(), stdout);
      exit_code = 0;
      return false;
    } else if (is("--help")) {
      std::fputs(UsageText(), stdout);
      exit_code = 0;
      return false;
    } else if (is("-v") || is("--version")) {
      std::printf("ember-cli %s\n", EMBER_CLI_VERSION);
      exit_code = 0;
      return false;
    } else if (is("-p")) {
      long port = 0;
      if (!number(port)) return bad(arg);
      options.endpoint.port = static_cast<int>(port);
    } else if (is("-s") && has_value) {
      options.endpoint.unix_socket = argv[++i];
    } else if ((is("-a") || is("--pass")) && has_value) {
      options.password = argv[++i];
    } else if (is("--user") && has_value) {
      options.user = argv[++i];
    } else if (is("--no-auth-warning")) {
      options.no_auth_warning = true;
    } else if (is("-u") && has_value) {
      std::string error;
      if (!ParseRedisUri(argv[++i], options, error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        exit_code = 1;
        return false;
      }
    } else if (is("-r")) {
      if (!number(options.repeat)) return bad(arg);
    } else if (is("-i") && has_value) {
      options.interval = std::strtod(argv[++i], nullptr);
    } else if (is("-n")) {
      long db = 0;
      if (!number(db)) return bad(arg);
      options.db = static_cast<int>(db);
    } else if (is("-t") && has_value) {
      options.timeout_s = std::strtod(argv[++i], nullptr);
      options.endpoint.connect_timeout_ms = static_cast<int>(options.timeout_s * 1000);
    } else if (is("-2")) {
      options.resp = 2;
      options.resp_explicit = true;
    } else if (is("-3")) {
      options.resp = 3;
      options.resp_explicit = true;
    } else if (is("-x")) {
      options.stdin_last_arg = true;
    } else if (is("-d") && has_value) {
      options.multibulk_delim = argv[++i];
    } else if (is("-D") && has_value) {
      options.command_delim = argv[++i];
    } else if (is("-c")) {
      options.cluster_mode = true;
    } else if (is("-e")) {
      options.error_exit = true;
    } else if (is("--raw")) {
      options.output = OutputMode::kRaw;
      options.output_explicit = true;
    } else if (is("--no-raw")) {
      options.output = OutputMode::kStandard;
      options.output_explicit = true;
    } else if (is("--csv")) {
      options.output = OutputMode::kCsv;
    } else if (is("--json")) {
      options.output = OutputMode::kJson;
      json = true;
    } else if (is("--show-pushes") && has_value) {
      const char* yn = argv[++i];
      options.show_pushes = yn[0] == 'y' || yn[0] == 'Y';
    } else if (is("--tls")) {
      options.endpoint.tls.enabled = true;
    } else if (is("--sni") && has_value) {
      options.endpoint.tls.sni = argv[++i];
    } else if (is("--cacert") && has_value) {
      options.endpoint.tls.cacert = argv[++i];
    } else if (is("--cacertdir") && has_value) {
      options.endpoint.tls.cacertdir = argv[++i];
    } else if (is("--insecure")) {
      options.endpoint.tls.insecure = true;
    } else if (is("--cert") && has_value) {
      options.endpoint.tls.cert = argv[++i];
    } else if (is("--key") && has_value) {
      options.endpoint.tls.key = argv[++i];
    } else if (is("--pipe")) {
      options.tool = ToolMode::kPipe;
    } else if (is("--pipe-timeout") && has_value) {
      options.pipe_timeout = std::strtod(argv[++i], nullptr);
    } else if (is("--scan")) {
      options.tool = ToolMode::kScan;
    } else if (is("--pattern") && has_value) {
      options.pattern = argv[++i];
    } else if (is("--count")) {
      if (!number(options.scan_count)) return bad(arg);
    } else if (is("--bigkeys")) {
      options.tool = ToolMode::kBigKeys;
    } else if (is("--memkeys")) {
      options.tool = ToolMode::kMemKeys;
    } else if (is("--memkeys-samples")) {
      options.tool = ToolMode::kMemKeys;
      if (!number(options.memkeys_samples)) return bad(arg);
    } else if (is("--hotkeys")) {
      options.tool = ToolMode::kHotKeys;
    } else if (is("--stat")) {
      options.tool = ToolMode::kStat;
    } else if (is("--latency")) {
      options.tool = ToolMode::kLatency;
    } else if (is("--latency-history")) {
      options.tool = ToolMode::kLatencyHistory;
    } else if (is("--latency-dist")) {
      options.tool = ToolMode::kLatencyDist;
    } else if (is("--eval") && has_value) {
      options.eval_file = argv[++i];
    } else if (is("--askpass")) {
      options.ask_password = true;
    } else if (is("--cluster")) {
      std::fprintf(stderr,
                   "ember-cli: --cluster is not implemented yet; redis-cli --cluster speaks the "
                   "same protocol.\n");
      exit_code = 1;
      return false;
    } else {
      return bad(arg);
    }
  }
  if (json && !options.resp_explicit) options.resp = 3;
  for (; i < argc; ++i) options.command.emplace_back(argv[i]);
  return true;
}

}  // namespace ember::cli
