#pragma once
// The local backend's state directory:
//   <state_dir>/next_id            the next job ID (written atomically, guarded by next_id.lock)
//   <state_dir>/once.lock          serializes -once submissions (check + record creation)
//   <state_dir>/records.lock       serializes read-modify-write of job records
//   <state_dir>/jobs/<id>.json     one record per job (LocalJob), replaced atomically
//   <state_dir>/jobs/<id>.launch.json  how to start each task (argv, environment), immutable
//   <state_dir>/jobs/<id>.log      what the job's shell said before its output was redirected
// Every file is replaced by write-temp + fsync + rename, so a crash leaves the old or the new
// version, never half of one; readers need no lock.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "k8sjobs/expected.h"
#include "k8sjobs/local/local_job.h"

namespace k8sjobs::local {

// An exclusive flock(2) on a file, held for the object's lifetime.
class FileLock {
 public:
  // Blocks until the lock is ours; error: why the file could not be opened or locked.
  static Expected<FileLock, std::string> acquire(const std::filesystem::path& path);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Replaces `path` with `content`: temp file in the same directory, fsync, rename, fsync of
// the directory.
Expected<Done, std::string> write_file_atomically(const std::filesystem::path& path,
                                                  const std::string& content);

class StateStore {
 public:
  explicit StateStore(std::filesystem::path state_dir) : dir_(std::move(state_dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path jobs_dir() const { return dir_ / "jobs"; }
  std::filesystem::path record_path(long long id) const;
  std::filesystem::path launch_path(long long id) const;
  std::filesystem::path log_path(long long id) const;

  // Creates the directory tree (0700: job records name programs and arguments).
  Expected<Done, std::string> ensure();

  // The next job ID: unique and increasing across concurrent processes. Never below one more
  // than the highest recorded job, so a lost counter file does not reuse IDs.
  Expected<long long, std::string> next_id();

  Expected<FileLock, std::string> lock_once();
  Expected<FileLock, std::string> lock_records();

  // nullopt: no such job (or an unreadable record).
  std::optional<LocalJob> read(long long id) const;
  // Every readable record, by ID. `warnings`, when given, gets one line per record file that
  // is not a job ("ignoring local job file <path>: <reason>") or was read with defaults: the
  // files are the user's to edit.
  std::vector<LocalJob> read_all(std::vector<std::string>* warnings = nullptr) const;
  // Only under lock_records() (or for a record nobody else knows yet).
  Expected<Done, std::string> write(const LocalJob& job);
  // Read-modify-write under lock_records(). `change` returns false to leave the record as it
  // was. Result: the record after the change; nullopt if there is no such job.
  Expected<std::optional<LocalJob>, std::string> update(
      long long id, const std::function<bool(LocalJob&)>& change);
  Expected<Done, std::string> write_launch(long long id, const nlohmann::json& launch);
  std::optional<nlohmann::json> read_launch(long long id) const;
  // Removes every file of the job (under lock_records()).
  void erase(long long id);

 private:
  std::filesystem::path dir_;
};

}  // namespace k8sjobs::local
