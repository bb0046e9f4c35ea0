// Test helper: run a check once per Highway target this binary has and this CPU supports.
#pragma once

#include <functional>

namespace imgpipe {

// Forces each target in turn (hwy::SetSupportedTargetsForTest), runs `body` under a
// SCOPED_TRACE naming it, and restores normal dispatch afterwards.
void ForEachTarget(const std::function<void()>& body);

}  // namespace imgpipe
