// SPDX-License-Identifier: Apache-2.0
#pragma once
// Who runs the command: decided here once, for every command (jsub's job owner, qstat's and
// qdel's "me", the namespace, k8sjobs-migrate's default user), so that jsub and qstat never
// disagree about the owner. docs/commands.md ("Who you are") describes the rule.

#include <functional>
#include <optional>
#include <string>

#include "k8sjobs/sys/environment.h"

namespace k8sjobs::sys {

// The login name for a uid from the password database (nullopt: no entry).
using UserNameLookup = std::function<std::optional<std::string>(unsigned uid)>;

// In order, the first that is set and not empty:
//  1. K8SJOBS_USER (tests and admin tools; it grants nothing: the cluster's RBAC decides what
//     the credentials in use may do),
//  2. the password database entry of the effective uid,
//  3. $USER, then $LOGNAME (a uid with no entry, e.g. in a container started with --user),
//  4. the effective uid in decimal, as ps(1) and ls(1) show a uid without a name.
std::string current_user(const Environment& environment);

// The same rule with the uid and the lookup given (tests).
std::string current_user(const Environment& environment, unsigned effective_uid,
                         const UserNameLookup& name_of);

// The password database, reentrant (getpwuid_r).
std::optional<std::string> password_user_name(unsigned uid);

}  // namespace k8sjobs::sys
