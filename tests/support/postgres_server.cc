#include "support/postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>

// libpqxx 6.4 leaks one PGresult when a connection breaks during a query: make_result() asks
// the (now closed) connection for its encoding, which throws before the result is adopted. The
// leak is bounded by the number of lost connections; suppress it so LeakSanitizer builds of
// suites that restart PostgreSQL on purpose report only leaks of our own.
extern "C" const char* __lsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier)
  return "leak:libpqxx\n";
}

namespace freshness::testing {
namespace {

namespace fs = std::filesystem;

bool IsExecutable(const fs::path& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string CommandOutput(const char* command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command, "r"), ::pclose);
  if (!pipe) return "";
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr) out += buffer;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// initdb and pg_ctl are not on PATH on Debian; pg_config knows where they are, and
// /usr/lib/postgresql/<version>/bin is the fallback (newest version first).
std::string FindBinDir() {
  if (const char* dir = std::getenv("FRESHNESS_PG_BINDIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  const std::string from_pg_config = CommandOutput("pg_config --bindir 2>/dev/null");
  if (!from_pg_config.empty() && IsExecutable(fs::path(from_pg_config) / "initdb")) {
    return from_pg_config;
  }
  std::vector<std::pair<int, std::string>> candidates;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
    const fs::path bin = entry.path() / "bin";
    if (IsExecutable(bin / "initdb") && IsExecutable(bin / "pg_ctl")) {
      candidates.emplace_back(std::atoi(entry.path().filename().c_str()), bin.string());
    }
  }
  if (candidates.empty()) {
    throw std::runtime_error("PostgreSQL server binaries not found (install postgresql-15)");
  }
  return std::max_element(candidates.begin(), candidates.end())->second;
}

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  sockaddr* generic = reinterpret_cast<sockaddr*>(&address);
  if (::bind(fd, generic, sizeof address) != 0 || ::getsockname(fd, generic, &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream input(path);
  std::stringstream buffer;
  buffer << input.rdbuf();
  return buffer.str();
}

std::string Tail(const std::string& text, std::size_t size) {
  return text.size() <= size ? text : text.substr(text.size() - size);
}

}  // namespace

PostgresServer::PostgresServer() : bin_dir_(FindBinDir()) {
  std::string pattern = (fs::temp_directory_path() / "freshness-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a temporary directory");
  }
  directory_ = pattern;
  data_dir_ = directory_ + "/data";
  as_postgres_user_ = ::geteuid() == 0;
  uid_t owner = ::geteuid();
  gid_t group = ::getegid();
  if (as_postgres_user_) {
    const passwd* user = ::getpwnam("postgres");
    if (user == nullptr) {
      fs::remove_all(directory_);
      throw std::runtime_error("running as root but there is no `postgres` user to run initdb");
    }
    owner = user->pw_uid;
    group = user->pw_gid;
    if (::chown(directory_.c_str(), owner, group) != 0) {
      fs::remove_all(directory_);
      throw std::runtime_error("cannot chown the temporary directory to postgres");
    }
  }
  try {
    // --no-sync and fsync=off: a test cluster need not survive a power cut, and this keeps
    // initdb and checkpoints fast.
    Run({bin_dir_ + "/initdb", "-D", data_dir_, "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--locale=C", "--no-sync", "--no-instructions"});
    {
      std::ofstream config(data_dir_ + "/postgresql.conf", std::ios::app);
      config << "\nlisten_addresses = '127.0.0.1'\n"
             << "unix_socket_directories = '" << directory_ << "'\n"
             << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
             << "shared_buffers = 16MB\nmax_connections = 50\n";
      std::ofstream hba(data_dir_ + "/pg_hba.conf", std::ios::trunc);
      hba << "local all all trust\n"
          << "host all +password_login 127.0.0.1/32 scram-sha-256\n"
          << "host all all 127.0.0.1/32 trust\n";
    }
    if (::chown((data_dir_ + "/pg_hba.conf").c_str(), owner, group) != 0) {
      throw std::runtime_error("cannot chown pg_hba.conf");
    }
    // A port picked now may be taken before the server binds it; try a few.
    for (int attempt = 1;; ++attempt) {
      port_ = FreeLoopbackPort();
      try {
        Start();
        break;
      } catch (const std::runtime_error&) {
        if (attempt == 3) throw;
      }
    }
    Execute("CREATE ROLE password_login NOLOGIN");
  } catch (...) {
    if (running_) Kill();
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
    throw;
  }
}

PostgresServer::~PostgresServer() {
  try {
    if (running_) Kill();
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more to do while cleaning up
  }
  std::error_code ignored;
  fs::remove_all(directory_, ignored);
}

void PostgresServer::Start() {
  Run({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-l", directory_ + "/server.log", "-w", "-t", "60",
       "-o", "-p " + std::to_string(port_), "start"});
  running_ = true;
}

void PostgresServer::Stop() {
  Run({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-w", "-t", "60", "-m", "fast", "stop"});
  running_ = false;
}

void PostgresServer::Kill() {
  Run({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-w", "-t", "60", "-m", "immediate", "stop"});
  running_ = false;
}

PostgresServer::Rows PostgresServer::Execute(const std::string& sql,
                                             const std::string& dbname) const {
  pqxx::connection connection(Dsn(dbname));
  pqxx::nontransaction transaction(connection);
  const pqxx::result result = transaction.exec(sql);
  Rows rows;
  for (const pqxx::row& row : result) {
    std::vector<std::optional<std::string>> values;
    for (const pqxx::field& field : row) {
      values.push_back(field.is_null() ? std::nullopt : std::optional<std::string>(field.c_str()));
    }
    rows.push_back(std::move(values));
  }
  return rows;
}

std::string PostgresServer::Dsn(const std::string& dbname, const std::string& user,
                                const std::string& password) const {
  std::string dsn =
      "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + dbname + " user=" + user;
  if (!password.empty()) dsn += " password='" + password + "'";
  return dsn;
}

void PostgresServer::Run(const std::vector<std::string>& arguments) const {
  std::vector<std::string> command;
  if (as_postgres_user_) {
    const char* runuser = IsExecutable("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser";
    command = {runuser, "-u", "postgres", "--"};
  }
  command.insert(command.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& argument : command) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const std::string output_path = directory_ + "/commands.log";
  const int output = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (output < 0) throw std::runtime_error("cannot open " + output_path);
  const auto output_start = fs::file_size(output_path);

  // Only async-signal-safe calls between fork and exec: the test process has threads.
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null_input = ::open("/dev/null", O_RDONLY);
    if (null_input < 0 || ::dup2(null_input, 0) < 0 || ::dup2(output, 1) < 0 ||
        ::dup2(output, 2) < 0 || ::chdir(directory_.c_str()) != 0) {
      ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(output);
  if (pid < 0) throw std::runtime_error("fork failed");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  const std::string log = ReadFile(output_path);
  throw std::runtime_error("command failed: " + arguments.front() + " " + arguments.back() + "\n" +
                           log.substr(std::min<std::size_t>(output_start, log.size())) +
                           "\nserver log:\n" + Tail(ServerLog(), 2000));
}

std::string PostgresServer::ServerLog() const { return ReadFile(directory_ + "/server.log"); }

}  // namespace freshness::testing
