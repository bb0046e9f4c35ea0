// img-aug's fused colour pass: a jitter in every one of the 24 orders (and tables after it) gives
// the bytes of its steps applied one at a time, each over the whole image, from the references.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>

#include "libcommon/kernels/photometric.h"
#include "libcommon/kernels/photometric_reference.h"
#include "tests/support/highway_targets.h"
#include "tools/img-aug/pipeline.h"

namespace imgpipe::aug {
namespace {

Image Noise(std::mt19937& rng, int w, int h, int c) {
  Image img;
  img.Allocate(w, h, c);
  for (auto& b : img.data) b = uint8_t(rng());
  return img;
}

uint8_t Round255(double v) { return uint8_t(std::clamp(std::nearbyint(v), 0.0, 255.0)); }

void TableStep(Image& img, double (*fn)(double, double, double), double a, double b) {
  Lut lut;
  for (int v = 0; v < 256; ++v) lut[v] = Round255(fn(double(v), a, b));
  ApplyLut(img, lut);
}

// One step at a time, straight from the documented definitions.
Image Expected(Image img, const int order[4], double bri, double con, double sat, double hue, double gamma) {
  for (int k = 0; k < 4; ++k) {
    if (order[k] == 0) TableStep(img, [](double x, double f, double) { return x * f; }, bri, 0);
    if (order[k] == 1) {
      std::array<std::array<uint64_t, 256>, 3> hist;
      ColorHistograms(img, &hist);
      Lut id;
      std::iota(id.begin(), id.end(), 0);
      const double mean = MeanLumaAfterLut(hist, ColorChannels(img.channels), uint64_t(img.width) * img.height, id);
      TableStep(img, [](double x, double f, double m) { return f * x + (1 - f) * m; }, con, mean);
    }
    if (order[k] == 2) AdjustSaturationReference(img, float(sat));
    if (order[k] == 3) AdjustHueReference(img, float(hue));
  }
  TableStep(img, [](double x, double g, double) { return 255.0 * std::pow(x / 255.0, g); }, gamma, 0);
  return img;
}

TEST(AugPhotometricTest, JitterInEveryOrderMatchesStepByStep) {
  ForEachTarget([] {
    std::mt19937 rng(3);
    int order[4] = {0, 1, 2, 3};
    int orders = 0;
    do {
      for (int c : {1, 3, 4}) {
        const int w = 1 + int(rng() % 70), h = 1 + int(rng() % 40);
        const Image src = Noise(rng, w, h, c);
        const double bri = 0.6 + (rng() % 800) / 1000.0, con = 0.6 + (rng() % 800) / 1000.0,
                     sat = (rng() % 2000) / 1000.0, hue = ((rng() % 1000) / 1000.0 - 0.5) * 0.4,
                     gamma = 0.8 + (rng() % 400) / 1000.0;
        std::string json = "[{\"op\":\"jitter\",\"order\":[" + std::to_string(order[0]) + "," +
                           std::to_string(order[1]) + "," + std::to_string(order[2]) + "," +
                           std::to_string(order[3]) + "],\"brightness\":" + std::to_string(bri) +
                           ",\"contrast\":" + std::to_string(con) + ",\"saturation\":" + std::to_string(sat) +
                           ",\"hue\":" + std::to_string(hue) + "},{\"op\":\"gamma\",\"gamma\":" +
                           std::to_string(gamma) + "}]";
        auto steps = StepsFromJson(json);
        ASSERT_TRUE(steps) << json;
        auto got = ApplySteps(*steps, src, {}, ApplyOptions{});
        ASSERT_TRUE(got);
        // The values as the pipeline reads them back from the JSON text.
        const Image want = Expected(src, order, std::stod(std::to_string(bri)), std::stod(std::to_string(con)),
                                    std::stod(std::to_string(sat)), std::stod(std::to_string(hue)),
                                    std::stod(std::to_string(gamma)));
        ASSERT_EQ(got->image.data, want.data) << json << " " << w << "x" << h << "x" << c;
      }
      ++orders;
    } while (std::next_permutation(order, order + 4));
    EXPECT_EQ(orders, 24);
  });
}

}  // namespace
}  // namespace imgpipe::aug
