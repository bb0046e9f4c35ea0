// ForEachTarget: every kernel test compares SIMD with its scalar reference on every target.
#include "tests/support/highway_targets.h"

#include <gtest/gtest.h>

#include <hwy/targets.h>
#include <string>
#include <vector>

namespace imgpipe {

void ForEachTarget(const std::function<void()>& body) {
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  ASSERT_FALSE(targets.empty());
  for (int64_t target : targets) {
    SCOPED_TRACE(std::string("target ") + hwy::TargetName(target));
    hwy::SetSupportedTargetsForTest(target);
    body();
  }
  hwy::SetSupportedTargetsForTest(0);
}

}  // namespace imgpipe
