#pragma once
// maxclients and the process's open-file limit, as Redis reconciles them: the limit is raised
// to what maxclients needs when the system allows, and otherwise maxclients is lowered to fit,
// so clients past it get "-ERR max number of clients reached" instead of an accept() that
// fails with EMFILE.
#include <cstdint>
#include <string>

#include "server/config.h"

namespace ember {

// Descriptors kept for what is not a client: listeners, the event loops, their mailboxes,
// persistence files (Redis keeps 32; each shard adds its own few).
int64_t ReservedDescriptors(const ServerConfig& config);

// At start: raises the soft RLIMIT_NOFILE towards maxclients + reserved, lowering maxclients
// when the system will not go that far. Returns the warnings to log (empty when none); false
// (with *error) when not even one client fits.
bool FitMaxclientsToFileLimit(ServerConfig& config, std::string* warnings, std::string* error);

// CONFIG SET maxclients: whether `maxclients` fits the open-file limit (raising it if it can);
// otherwise Redis's error text.
std::string CheckMaxclients(const ServerConfig& config, int64_t maxclients);

}  // namespace ember
