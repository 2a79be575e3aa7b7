// SPDX-License-Identifier: Apache-2.0
#pragma once
// The kubelet rewrites a container's command, args and env values before it starts the
// container: `$(NAME)` becomes the value of the container's variable NAME when it has one, and
// `$$` becomes `$` (Kubernetes' third_party/forked/golang/expansion). A Grid Engine job's words
// must reach it unchanged, so every `$` the manifest carries is written as `$$`.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace k8sjobs::kube {

// `text` with every `$` doubled: what the kubelet turns back into exactly `text`.
std::string escape_kubelet_references(std::string_view text);

// What the kubelet makes of `text`: `$$` is `$`; `$(NAME)` is lookup(NAME) when that has a
// value, else left as written; any other `$` (a lone one, one at the end, an unclosed `$(`)
// stays. `escape_kubelet_references` is its inverse for any lookup.
std::string expand_kubelet_references(
    std::string_view text,
    const std::function<std::optional<std::string>(std::string_view name)>& lookup);

}  // namespace k8sjobs::kube
