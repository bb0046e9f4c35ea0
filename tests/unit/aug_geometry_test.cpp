// img-aug geometry property: after random geometric chains, every pixel of a filled rectangle lies
// inside the box that was moved with it (within a pixel), for many seeds.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "libcommon/random.h"
#include "tools/img-aug/ops.h"
#include "tools/img-aug/pipeline.h"

namespace imgpipe::aug {
namespace {

struct Scene {
  Image image;
  std::vector<BoxRecord> boxes;
};

// Up to 6 non-overlapping rectangles (one per 3x2 grid cell); box k is painted R = 30 (k+1), G = 255.
Scene MakeScene(std::mt19937& rng, int w, int h, int channels) {
  Scene s;
  s.image.Allocate(w, h, channels);
  const int cw = w / 3, ch = h / 2;
  for (int k = 0; k < 6; ++k) {
    const int gx = (k % 3) * cw, gy = (k / 3) * ch;
    const int x0 = gx + int(rng() % (cw / 2)), y0 = gy + int(rng() % (ch / 2));
    const int x1 = x0 + 1 + int(rng() % (gx + cw - x0 - 1)), y1 = y0 + 1 + int(rng() % (gy + ch - y0 - 1));
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) {
        uint8_t* p = &s.image.data[(size_t(y) * w + x) * channels];
        p[0] = uint8_t(30 * (k + 1));
        if (channels >= 2) p[1] = 255;
      }
    BoxRecord b;
    b.box = {double(x0), double(y0), double(x1), double(y1)};
    b.fields = Record::FromJson("{\"label\":\"b" + std::to_string(k) + "\"}").value();
    s.boxes.push_back(b);
  }
  return s;
}

std::string RandomChain(std::mt19937& rng) {
  static const std::vector<std::string> ops = {
      "rrc=64,48,scale=0.2:1",  "hflip=0.5", "vflip=0.5", "rot90",  "rotate=45",
      "rotate=180,expand=1",    "affine=20,translate=0.2,scale=0.7:1.3,shear=15",
      "perspective=0.4",        "random_crop=70,50", "center_crop=100,80", "resize=50,40",
      "resize=90",              "pad=5,3,0,9",   "letterbox=100,100", "crop=10,5,80,60"};
  std::string spec;
  const int n = 1 + int(rng() % 4);
  for (int i = 0; i < n; ++i) spec += (i ? ";" : "") + ops[rng() % ops.size()];
  return spec;
}

TEST(AugGeometryTest, RectanglePixelsStayInsideTheirBoxes) {
  std::mt19937 rng(1234);
  int checked_pixels = 0, dropped = 0;
  for (int seed = 0; seed < 300; ++seed) {
    const int channels = seed % 2 ? 3 : 4;
    Scene scene = MakeScene(rng, 120, 90, channels);
    const std::string spec = RandomChain(rng);
    auto ops = ParseOpsSpec(spec);
    ASSERT_TRUE(ops) << ops.error().message;
    const std::vector<Step> steps = DrawSteps(*ops, uint64_t(seed), 77, 0, 120, 90);
    ApplyOptions options;
    options.interp = Interp::kNearest;
    auto out = ApplySteps(steps, scene.image, scene.boxes, options);
    ASSERT_TRUE(out) << out.error().message;
    SCOPED_TRACE("seed " + std::to_string(seed) + " ops " + spec + " -> " + StepsToJson(steps));
    // Which output box belongs to rectangle k: kept boxes keep their order and label.
    std::vector<const BoxRecord*> by_k(6, nullptr);
    for (const BoxRecord& b : out->boxes) by_k[b.Label()->back() - '0'] = &b;
    dropped += int(out->dropped.size());
    const Image& img = out->image;
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) {
        const uint8_t* p = &img.data[(size_t(y) * img.width + x) * channels];
        if (p[1] != 255 || p[0] % 30 != 0 || p[0] == 0) continue;
        const int k = p[0] / 30 - 1;
        const BoxRecord* b = by_k[k];
        ASSERT_NE(b, nullptr) << "pixel " << x << "," << y << " of dropped box " << k;
        const double cx = x + 0.5, cy = y + 0.5;
        ASSERT_TRUE(cx >= b->box.x0 - 1 && cx <= b->box.x1 + 1 && cy >= b->box.y0 - 1 && cy <= b->box.y1 + 1)
            << "pixel " << x << "," << y << " of box " << k << " outside [" << b->box.x0 << "," << b->box.y0
            << "," << b->box.x1 << "," << b->box.y1 << "]";
        ++checked_pixels;
      }
    // Boxes stay within the image.
    for (const BoxRecord& b : out->boxes) {
      EXPECT_GE(b.box.x0, 0);
      EXPECT_GE(b.box.y0, 0);
      EXPECT_LE(b.box.x1, img.width);
      EXPECT_LE(b.box.y1, img.height);
      EXPECT_LT(b.box.x0, b.box.x1);
      EXPECT_LT(b.box.y0, b.box.y1);
    }
  }
  EXPECT_GT(checked_pixels, 100000);
  EXPECT_GT(dropped, 0);  // some chains cut rectangles away entirely
}

// Without zoom the bilinear result obeys the same bound: blended edge pixels are within a pixel.
TEST(AugGeometryTest, BilinearWithoutZoomStaysWithinAPixel) {
  std::mt19937 rng(99);
  for (int seed = 0; seed < 100; ++seed) {
    Scene scene = MakeScene(rng, 120, 90, 3);
    static const std::vector<std::string> chains = {"rotate=60;hflip", "rot90;rotate=20,expand=1",
                                                    "affine=30,translate=0.1;vflip", "pad=7;rotate=180"};
    const std::string spec = chains[seed % chains.size()];
    auto ops = ParseOpsSpec(spec);
    ASSERT_TRUE(ops);
    auto out = ApplySteps(DrawSteps(*ops, seed, 5, 0, 120, 90), scene.image, scene.boxes, ApplyOptions{});
    ASSERT_TRUE(out);
    const Image& img = out->image;
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) {
        if (img.data[(size_t(y) * img.width + x) * 3 + 1] == 0) continue;
        bool inside = false;
        for (const BoxRecord& b : out->boxes)
          inside |= x + 0.5 >= b.box.x0 - 1.5 && x + 0.5 <= b.box.x1 + 1.5 && y + 0.5 >= b.box.y0 - 1.5 &&
                    y + 0.5 <= b.box.y1 + 1.5;
        ASSERT_TRUE(inside) << spec << " seed " << seed << " pixel " << x << "," << y;
      }
  }
}

}  // namespace
}  // namespace imgpipe::aug
