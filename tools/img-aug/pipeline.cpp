// Drawn steps: torchvision's sampling rules, one fused warp per geometric run, one LUT per LUT run.
// No FMA contraction: the same float results on every machine (see warp.cpp).
#pragma GCC optimize("fp-contract=off")

#include "tools/img-aug/pipeline.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "formats/codec/decode.h"
#include "formats/codec/encode.h"
#include "libcommon/json.h"
#include "libcommon/kernels/orient.h"
#include "libcommon/kernels/photometric.h"
#include "libcommon/random.h"

namespace imgpipe::aug {

const Value* Step::Find(std::string_view key) const {
  for (const Value& v : values)
    if (v.key == key) return &v;
  return nullptr;
}
double Step::Num(std::string_view key, size_t i, double fallback) const {
  const Value* v = Find(key);
  return v && i < v->nums.size() ? v->nums[i] : fallback;
}

Mat3 Mul(const Mat3& a, const Mat3& b) {
  Mat3 r;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k) s += a.m[i * 3 + k] * b.m[k * 3 + j];
      r.m[i * 3 + j] = s;
    }
  return r;
}

Mat3 Inverse(const Mat3& a) {
  const double* m = a.m;
  const double c0 = m[4] * m[8] - m[5] * m[7], c1 = m[5] * m[6] - m[3] * m[8], c2 = m[3] * m[7] - m[4] * m[6];
  const double det = m[0] * c0 + m[1] * c1 + m[2] * c2;
  Mat3 r;
  if (det == 0) return r;
  const double id = 1.0 / det;
  const double adj[9] = {c0, m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
                         c1, m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
                         c2, m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3]};
  for (int i = 0; i < 9; ++i) r.m[i] = adj[i] * id;
  // Affine stays exactly affine (the warp then skips the divide).
  if (m[6] == 0 && m[7] == 0 && m[8] == 1) r.m[6] = 0, r.m[7] = 0, r.m[8] = 1;
  return r;
}

namespace {

double Det(const Mat3& a) {
  const double* m = a.m;
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
         m[2] * (m[3] * m[7] - m[4] * m[6]);
}
Mat3 Translate(double x, double y) { return Mat3{{1, 0, x, 0, 1, y, 0, 0, 1}}; }
Mat3 Scale(double x, double y) { return Mat3{{x, 0, 0, 0, y, 0, 0, 0, 1}}; }
// Counter-clockwise on screen (y down) by `deg`, as torchvision's rotate.
Mat3 Rotate(double deg) {
  const double a = deg * M_PI / 180.0, c = std::cos(a), s = std::sin(a);
  return Mat3{{c, s, 0, -s, c, 0, 0, 0, 1}};
}
bool IsIdentity(const Mat3& a) {
  static const Mat3 id;
  return std::equal(a.m, a.m + 9, id.m);
}

// The homography taking src[i] to dst[i] (4 points), by Gaussian elimination on the 8x8 system.
Mat3 Homography(const double src[8], const double dst[8]) {
  double A[8][9];
  for (int i = 0; i < 4; ++i) {
    const double x = src[2 * i], y = src[2 * i + 1], u = dst[2 * i], v = dst[2 * i + 1];
    double r0[9] = {x, y, 1, 0, 0, 0, -u * x, -u * y, u};
    double r1[9] = {0, 0, 0, x, y, 1, -v * x, -v * y, v};
    std::memcpy(A[2 * i], r0, sizeof r0);
    std::memcpy(A[2 * i + 1], r1, sizeof r1);
  }
  for (int c = 0; c < 8; ++c) {
    int piv = c;
    for (int r = c + 1; r < 8; ++r)
      if (std::abs(A[r][c]) > std::abs(A[piv][c])) piv = r;
    std::swap(A[c], A[piv]);
    if (std::abs(A[c][c]) < 1e-12) return Mat3{};
    for (int r = 0; r < 8; ++r) {
      if (r == c) continue;
      const double f = A[r][c] / A[c][c];
      for (int k = c; k < 9; ++k) A[r][k] -= f * A[c][k];
    }
  }
  Mat3 h;
  for (int i = 0; i < 8; ++i) h.m[i] = A[i][8] / A[i][i];
  h.m[8] = 1;
  return h;
}

Value Nums(std::string key, std::vector<double> v, bool list = false) {
  Value out;
  out.key = std::move(key);
  out.nums = std::move(v);
  out.is_list = list;
  return out;
}

int Clamp255(double v) { return int(std::clamp(std::nearbyint(v), 0.0, 255.0)); }

Step Draw(const OpSpec& s, CounterRng& rng, int w, int h) {
  Step st;
  st.op = s.op;
  auto uni = [&](const char* key) {
    const Value* v = s.Find(key);
    return v->nums[0] == v->nums[1] ? v->nums[0] : rng.Uniform(v->nums[0], v->nums[1]);
  };
  auto uni_int = [&](const char* key) {
    const Value* v = s.Find(key);
    return double(rng.UniformInt(int64_t(v->nums[0]), int64_t(v->nums[1])));
  };
  auto push = [&](const char* key, double v) { st.values.push_back(Nums(key, {v})); };
  const std::string& op = s.op;
  if (op == "crop") {
    for (const char* k : {"x", "y", "w", "h"}) push(k, s.Num(k));
  } else if (op == "center_crop" || op == "random_crop") {
    const int cw = int(s.Num("size", 0)), ch = int(s.Num("size", 1));
    double x, y;
    if (op == "center_crop") {
      x = std::nearbyint((w - cw) / 2.0);
      y = std::nearbyint((h - ch) / 2.0);
    } else {
      x = double(w >= cw ? rng.UniformInt(0, w - cw) : -rng.UniformInt(0, cw - w));
      y = double(h >= ch ? rng.UniformInt(0, h - ch) : -rng.UniformInt(0, ch - h));
    }
    push("x", x), push("y", y), push("w", cw), push("h", ch);
  } else if (op == "rrc") {
    const double area = double(w) * h;
    const double lr0 = std::log(s.Num("ratio", 0)), lr1 = std::log(s.Num("ratio", 1));
    double cx = -1, cy = 0, cw = 0, ch = 0;
    for (int attempt = 0; attempt < 10; ++attempt) {
      const double target = area * rng.Uniform(s.Num("scale", 0), s.Num("scale", 1));
      const double aspect = std::exp(rng.Uniform(lr0, lr1));
      const double tw = std::nearbyint(std::sqrt(target * aspect));
      const double th = std::nearbyint(std::sqrt(target / aspect));
      if (tw > 0 && tw <= w && th > 0 && th <= h) {
        cy = double(rng.UniformInt(0, int64_t(h - th)));
        cx = double(rng.UniformInt(0, int64_t(w - tw)));
        cw = tw, ch = th;
        break;
      }
    }
    if (cx < 0) {  // torchvision's fallback: a centre crop at the nearest allowed ratio
      const double in_ratio = double(w) / h, rmin = s.Num("ratio", 0), rmax = s.Num("ratio", 1);
      if (in_ratio < rmin) cw = w, ch = std::nearbyint(w / rmin);
      else if (in_ratio > rmax) ch = h, cw = std::nearbyint(h * rmax);
      else cw = w, ch = h;
      cw = std::max(cw, 1.0), ch = std::max(ch, 1.0);
      cy = std::floor((h - ch) / 2), cx = std::floor((w - cw) / 2);
    }
    push("x", cx), push("y", cy), push("w", cw), push("h", ch);
    st.values.push_back(Nums("size", {s.Num("size", 0), s.Num("size", 1)}, true));
  } else if (op == "resize") {
    double ow = s.Num("size", 0), oh = s.Num("size", 1);
    const std::string mode = s.Str("mode", "exact");
    if (mode != "exact") {
      const double side = mode == "short" ? std::min(w, h) : std::max(w, h);
      const double f = s.Num("size", 0) / side;
      ow = std::max(1.0, std::nearbyint(w * f));
      oh = std::max(1.0, std::nearbyint(h * f));
      if ((mode == "short") == (w <= h)) ow = s.Num("size", 0);
      else oh = s.Num("size", 0);
    }
    st.values.push_back(Nums("size", {ow, oh}, true));
  } else if (op == "pad") {
    st.values.push_back(Nums("pad", s.Find("pad")->nums, true));
  } else if (op == "letterbox") {
    const double W = s.Num("size", 0), H = s.Num("size", 1);
    const double f = std::min(W / w, H / h);
    const double nw = std::clamp(std::nearbyint(w * f), 1.0, W), nh = std::clamp(std::nearbyint(h * f), 1.0, H);
    st.values.push_back(Nums("size", {W, H}, true));
    st.values.push_back(Nums("content", {std::floor((W - nw) / 2), std::floor((H - nh) / 2), nw, nh}, true));
  } else if (op == "rot90") {
    push("k", uni_int("k"));
  } else if (op == "rotate") {
    push("angle", uni("angle"));
    push("expand", s.Num("expand"));
  } else if (op == "affine") {
    push("angle", uni("angle"));
    push("tx", std::nearbyint(uni("translate") * w));
    push("ty", std::nearbyint(uni("translate") * h));
    push("scale", uni("scale"));
    push("shear", uni("shear"));
  } else if (op == "perspective") {
    const double dx = s.Num("scale") * w / 2, dy = s.Num("scale") * h / 2;
    std::vector<double> to = {rng.Uniform(0, dx),     rng.Uniform(0, dy),     w - rng.Uniform(0, dx),
                              rng.Uniform(0, dy),     w - rng.Uniform(0, dx), h - rng.Uniform(0, dy),
                              rng.Uniform(0, dx),     h - rng.Uniform(0, dy)};
    st.values.push_back(Nums("to", to, true));
  } else if (op == "brightness" || op == "contrast" || op == "saturation") {
    push("factor", uni("factor"));
  } else if (op == "hue") {
    push("shift", uni("shift"));
  } else if (op == "jitter") {
    int order[4] = {0, 1, 2, 3};
    for (int i = 3; i > 0; --i) std::swap(order[i], order[rng.UniformInt(0, i)]);
    st.values.push_back(Nums("order", {double(order[0]), double(order[1]), double(order[2]), double(order[3])}, true));
    for (const char* k : {"brightness", "contrast", "saturation", "hue"}) {
      const Value* v = s.Find(k);
      const bool identity = std::string(k) == "hue" ? (v->nums[0] == 0 && v->nums[1] == 0)
                                                    : (v->nums[0] == 1 && v->nums[1] == 1);
      const double x = uni(k);
      if (!identity) push(k, x);
    }
  } else if (op == "gamma") {
    push("gamma", uni("gamma"));
  } else if (op == "channel_shuffle") {
    int perm[3] = {0, 1, 2};
    for (int i = 2; i > 0; --i) std::swap(perm[i], perm[rng.UniformInt(0, i)]);
    st.values.push_back(Nums("perm", {double(perm[0]), double(perm[1]), double(perm[2])}, true));
  } else if (op == "posterize") {
    push("bits", uni_int("bits"));
  } else if (op == "solarize") {
    push("threshold", uni("threshold"));
  } else if (op == "noise") {
    push("std", uni("std"));
    push("seed", double(rng.NextU64() >> 11));
    push("per_channel", s.Num("per_channel"));
  } else if (op == "blur") {
    push("sigma", uni("sigma"));
  } else if (op == "jpeg") {
    push("quality", uni_int("quality"));
  } else if (op == "cutout") {
    const int64_t n = int64_t(uni_int("holes"));
    std::vector<double> rects;
    for (int64_t i = 0; i < n; ++i) {
      const double side = std::max(1.0, std::nearbyint(uni("size") * std::min(w, h)));
      const double cx = double(rng.UniformInt(0, w - 1)), cy = double(rng.UniformInt(0, h - 1));
      const double x0 = std::max(0.0, cx - std::floor(side / 2)), y0 = std::max(0.0, cy - std::floor(side / 2));
      rects.insert(rects.end(), {x0, y0, std::min<double>(w, x0 + side), std::min<double>(h, y0 + side)});
    }
    st.values.push_back(Nums("rects", rects, true));
    st.values.push_back(Nums("fill", s.Find("fill")->nums, true));
  }
  // grayscale, equalize, hflip, vflip: nothing to draw.
  for (const char* extra : {"border", "fill"})
    if (IsGeometric(op))
      if (const Value* v = s.Find(extra)) st.values.push_back(*v);
  return st;
}

}  // namespace

Result<Geom> GeomOf(const Step& st, int w, int h) {
  Geom g;
  g.out_w = w, g.out_h = h;
  const std::string& op = st.op;
  auto bad = [&](const std::string& what) { return MakeError("bad-aug", op + ": " + what); };
  if (op == "crop" || op == "center_crop" || op == "random_crop" || op == "rrc") {
    const double x = st.Num("x"), y = st.Num("y"), cw = st.Num("w"), ch = st.Num("h");
    if (!(cw >= 1 && ch >= 1)) return bad("crop size must be >= 1");
    g.m = Translate(-x, -y);
    g.out_w = int(cw), g.out_h = int(ch);
    if (op == "rrc") {
      const double ow = st.Num("size", 0), oh = st.Num("size", 1);
      g.m = Mul(Scale(ow / cw, oh / ch), g.m);
      g.out_w = int(ow), g.out_h = int(oh);
    }
  } else if (op == "resize") {
    const double ow = st.Num("size", 0), oh = st.Num("size", 1);
    g.m = Scale(ow / w, oh / h);
    g.out_w = int(ow), g.out_h = int(oh);
  } else if (op == "pad") {
    g.m = Translate(st.Num("pad", 0), st.Num("pad", 1));
    g.out_w = w + int(st.Num("pad", 0) + st.Num("pad", 2));
    g.out_h = h + int(st.Num("pad", 1) + st.Num("pad", 3));
  } else if (op == "letterbox") {
    g.m = Mul(Translate(st.Num("content", 0), st.Num("content", 1)),
              Scale(st.Num("content", 2) / w, st.Num("content", 3) / h));
    g.out_w = int(st.Num("size", 0)), g.out_h = int(st.Num("size", 1));
  } else if (op == "hflip") {
    g.m = Mat3{{-1, 0, double(w), 0, 1, 0, 0, 0, 1}};
  } else if (op == "vflip") {
    g.m = Mat3{{1, 0, 0, 0, -1, double(h), 0, 0, 1}};
  } else if (op == "rot90") {
    const int k = ((int(st.Num("k")) % 4) + 4) % 4;
    if (k == 1) g.m = Mat3{{0, 1, 0, -1, 0, double(w), 0, 0, 1}}, g.out_w = h, g.out_h = w;
    if (k == 2) g.m = Mat3{{-1, 0, double(w), 0, -1, double(h), 0, 0, 1}};
    if (k == 3) g.m = Mat3{{0, -1, double(h), 1, 0, 0, 0, 0, 1}}, g.out_w = h, g.out_h = w;
  } else if (op == "rotate") {
    Mat3 r = Rotate(st.Num("angle"));
    if (st.Num("expand") != 0) {
      // The bounding box of the rotated image, rounded to whole pixels.
      const double c = std::abs(r.m[0]), s = std::abs(r.m[1]);
      g.out_w = std::max(1, int(std::ceil(w * c + h * s - 1e-6)));
      g.out_h = std::max(1, int(std::ceil(w * s + h * c - 1e-6)));
    }
    g.m = Mul(Translate(g.out_w / 2.0, g.out_h / 2.0), Mul(r, Translate(-w / 2.0, -h / 2.0)));
  } else if (op == "affine") {
    const double sh = std::tan(st.Num("shear") * M_PI / 180.0);
    Mat3 lin = Mul(Rotate(st.Num("angle")), Mul(Mat3{{1, sh, 0, 0, 1, 0, 0, 0, 1}},
                                                Scale(st.Num("scale", 0, 1), st.Num("scale", 0, 1))));
    g.m = Mul(Translate(w / 2.0 + st.Num("tx"), h / 2.0 + st.Num("ty")), Mul(lin, Translate(-w / 2.0, -h / 2.0)));
  } else if (op == "perspective") {
    const Value* to = st.Find("to");
    if (!to || to->nums.size() != 8) return bad("needs \"to\": 8 numbers");
    const double src[8] = {0, 0, double(w), 0, double(w), double(h), 0, double(h)};
    g.m = Homography(src, to->nums.data());
  } else {
    return bad("not a geometric op");
  }
  if (g.out_w < 1 || g.out_h < 1 || double(g.out_w) * g.out_h > 4e8) return bad("output size out of range");
  return g;
}

std::vector<Step> DrawSteps(const OpList& ops, uint64_t seed, uint64_t key, uint32_t copy, int w, int h) {
  std::vector<Step> steps;
  for (size_t i = 0; i < ops.ops.size(); ++i) {
    CounterRng rng(seed, key, copy, uint32_t(i + 1));
    const OpSpec* s = &ops.ops[i];
    if (!rng.Bernoulli(s->p)) continue;
    if (s->op == "one_of") {
      double total = 0;
      for (const OpSpec& c : s->children) total += c.p;
      if (total <= 0) continue;
      double pick = rng.Uniform() * total;
      size_t idx = 0;
      for (; idx + 1 < s->children.size(); ++idx) {
        if (pick < s->children[idx].p) break;
        pick -= s->children[idx].p;
      }
      s = &s->children[idx];
    }
    Step st = Draw(*s, rng, w, h);
    if (IsGeometric(st.op)) {
      auto g = GeomOf(st, w, h);
      if (g) w = g->out_w, h = g->out_h;
    }
    steps.push_back(std::move(st));
  }
  return steps;
}

namespace {

struct TrackedBox {
  BoxXYXY cur, full;
};

double Area(const BoxXYXY& b) { return std::max(0.0, b.x1 - b.x0) * std::max(0.0, b.y1 - b.y0); }

BoxXYXY MapBox(const BoxXYXY& b, const Mat3& M, BoxRotate mode) {
  const double* m = M.m;
  auto map = [&](double x, double y, double* u, double* v) {
    const double w = m[6] * x + m[7] * y + m[8];
    *u = (m[0] * x + m[1] * y + m[2]) / w;
    *v = (m[3] * x + m[4] * y + m[5]) / w;
  };
  BoxXYXY out{1e300, 1e300, -1e300, -1e300};
  auto add = [&](double u, double v) {
    out.x0 = std::min(out.x0, u), out.y0 = std::min(out.y0, v);
    out.x1 = std::max(out.x1, u), out.y1 = std::max(out.y1, v);
  };
  const bool affine = m[6] == 0 && m[7] == 0 && m[8] == 1;
  if (mode == BoxRotate::kEllipse && affine) {
    const double cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2, rx = (b.x1 - b.x0) / 2, ry = (b.y1 - b.y0) / 2;
    double u, v;
    map(cx, cy, &u, &v);
    const double hx = std::hypot(m[0] * rx, m[1] * ry), hy = std::hypot(m[3] * rx, m[4] * ry);
    return {u - hx, v - hy, u + hx, v + hy};
  }
  if (mode == BoxRotate::kEllipse) {
    const double cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2, rx = (b.x1 - b.x0) / 2, ry = (b.y1 - b.y0) / 2;
    for (int i = 0; i < 64; ++i) {
      double u, v;
      const double t = 2 * M_PI * i / 64;
      map(cx + rx * std::cos(t), cy + ry * std::sin(t), &u, &v);
      add(u, v);
    }
    return out;
  }
  for (double x : {b.x0, b.x1})
    for (double y : {b.y0, b.y1}) {
      double u, v;
      map(x, y, &u, &v);
      add(u, v);
    }
  return out;
}

BoxXYXY Clip(BoxXYXY b, int w, int h) {
  b.x0 = std::clamp(b.x0, 0.0, double(w)), b.x1 = std::clamp(b.x1, 0.0, double(w));
  b.y0 = std::clamp(b.y0, 0.0, double(h)), b.y1 = std::clamp(b.y1, 0.0, double(h));
  return b;
}

Status Jpeg(Image& img, int quality) {
  const int C = img.channels, cc = ColorChannels(C);
  Image color;
  if (cc == C) {
    color = img;
  } else {
    color.Allocate(img.width, img.height, cc);
    for (size_t i = 0, j = 0; i < img.data.size(); i += C, j += cc) std::memcpy(&color.data[j], &img.data[i], cc);
  }
  EncodeOptions eo;
  eo.quality = quality;
  eo.subsampling = 420;
  auto bytes = EncodeImage(color, ImageFormat::kJpeg, eo);
  if (!bytes) return bytes.error();
  DecodeOptions dopt;
  dopt.channels = cc;
  auto dec = DecodeImage(*bytes, dopt);
  if (!dec) return dec.error();
  const Image& back = dec->image;
  if (back.width != img.width || back.height != img.height || back.channels != cc)
    return MakeError("internal", "jpeg round trip changed the image shape");
  if (cc == C) {
    img.data = back.data;
  } else {
    for (size_t i = 0, j = 0; i < img.data.size(); i += C, j += cc) std::memcpy(&img.data[i], &back.data[j], cc);
  }
  return Status::Ok();
}

// The EXIF orientation (2..8) whose pixel permutation is exactly M on a w x h image giving
// out_w x out_h, or 0. Mapping pixel edges onto pixel edges, it reads every pixel at its centre,
// so it gives the bytes the warp would give, without the warp.
int OrientationOf(const Mat3& M, int w, int h, int out_w, int out_h) {
  const double W = w, H = h;
  const Mat3 table[9] = {{}, {},
                         {{-1, 0, W, 0, 1, 0, 0, 0, 1}},   // 2 mirror horizontal
                         {{-1, 0, W, 0, -1, H, 0, 0, 1}},  // 3 rotate 180
                         {{1, 0, 0, 0, -1, H, 0, 0, 1}},   // 4 mirror vertical
                         {{0, 1, 0, 1, 0, 0, 0, 0, 1}},    // 5 transpose
                         {{0, -1, H, 1, 0, 0, 0, 0, 1}},   // 6 rotate 90 clockwise
                         {{0, -1, H, -1, 0, W, 0, 0, 1}},  // 7 transverse
                         {{0, 1, 0, -1, 0, W, 0, 0, 1}}};  // 8 rotate 90 counter-clockwise
  for (int o = 2; o <= 8; ++o) {
    const bool swap = o >= 5;
    if ((swap ? out_w != h || out_h != w : out_w != w || out_h != h)) continue;
    if (std::equal(M.m, M.m + 9, table[o].m)) return o;  // == (so -0 matches 0)
  }
  return 0;
}

BorderMode ParseBorder(const std::string& s, BorderMode fallback) {
  if (s == "constant") return BorderMode::kConstant;
  if (s == "reflect") return BorderMode::kReflect;
  if (s == "replicate") return BorderMode::kReplicate;
  return fallback;
}

}  // namespace

Result<ApplyResult> ApplySteps(const std::vector<Step>& steps, Image image, std::vector<BoxRecord> boxes,
                               const ApplyOptions& options) {
  ApplyResult res;
  std::vector<TrackedBox> tracked(boxes.size());
  for (size_t i = 0; i < boxes.size(); ++i) tracked[i] = {boxes[i].box, boxes[i].box};
  bool mirrored = false;

  // The pending geometric group.
  Mat3 M;
  int gw = image.width, gh = image.height;
  bool geo_pending = false;
  WarpSpec group;
  bool group_border_set = false;
  auto reset_group = [&] {
    M = Mat3{};
    geo_pending = false;
    group = WarpSpec{};
    group.interp = options.interp;
    group.border = options.border;
    std::memcpy(group.fill, options.fill, 4);
    group_border_set = false;
  };
  reset_group();
  auto flush_geo = [&]() {
    if (!geo_pending) return;
    if (!(IsIdentity(M) && gw == image.width && gh == image.height)) {
      const double* m = M.m;
      const bool int_crop = m[0] == 1 && m[1] == 0 && m[3] == 0 && m[4] == 1 && m[6] == 0 && m[7] == 0 &&
                            m[8] == 1 && m[2] == std::floor(m[2]) && m[5] == std::floor(m[5]) && m[2] <= 0 &&
                            m[5] <= 0 && -m[2] + gw <= image.width && -m[5] + gh <= image.height;
      Image out;
      int orientation = int_crop ? 0 : OrientationOf(M, image.width, image.height, gw, gh);
      // A bilinear warp's separable path copies mirrored rows with SIMD shuffles (the same bytes,
      // faster than ApplyOrientation's per-pixel loop): hflip goes there.
      if (orientation == 2 && group.interp == Interp::kBilinear) orientation = 0;
      if (orientation > 1) {  // flips and quarter turns: a pixel permutation, no resampling
        out = ApplyOrientation(image, orientation);
      } else if (int_crop) {  // a crop inside the image: rows copied, the same bytes the warp would give
        out.Allocate(gw, gh, image.channels);
        const size_t row = size_t(gw) * image.channels;
        for (int y = 0; y < gh; ++y)
          std::memcpy(&out.data[y * row],
                      &image.data[(size_t(y - int(m[5])) * image.width - int(m[2])) * image.channels], row);
      } else {
        for (int i = 0; i < 9; ++i) group.inv[i] = Inverse(M).m[i];
        Warp(image, group, gw, gh, &out);
      }
      image = std::move(out);
      ++res.warps;
      if (Det(M) < 0) mirrored = !mirrored;
      for (TrackedBox& t : tracked) {
        t.full = MapBox(t.full, M, options.box_rotate);
        t.cur = Clip(MapBox(t.cur, M, options.box_rotate), gw, gh);
      }
    }
    reset_group();
  };

  // Pending pointwise colour work: `prog` (tables, saturation and hue, in order) and after it the
  // table `lut` still being composed. It runs as one fused pass (ApplyColorSteps) when something
  // needs the pixels: a geometric or non-pointwise op, a contrast after saturation or hue (its
  // mean comes out of that same pass as channel sums), or the end.
  std::vector<ColorStep> prog;
  Lut lut;
  std::iota(lut.begin(), lut.end(), 0);
  bool lut_pending = false;
  std::array<std::array<uint64_t, 256>, 3> hist;
  bool hist_valid = false;
  auto seal_lut = [&]() {
    if (!lut_pending) return;
    ColorStep st;
    st.kind = ColorStep::kLut;
    st.lut = lut;
    prog.push_back(st);
    std::iota(lut.begin(), lut.end(), 0);
    lut_pending = false;
  };
  auto flush_lut = [&](std::array<uint64_t, 3>* sums = nullptr) {
    if (prog.empty() && !sums) {
      if (!lut_pending) return;
      ApplyLut(image, lut);
    } else {
      seal_lut();
      ApplyColorSteps(image, prog, sums);
    }
    prog.clear();
    std::iota(lut.begin(), lut.end(), 0);
    lut_pending = false;
    hist_valid = false;
  };
  auto compose = [&](auto fn) {
    for (int v = 0; v < 256; ++v) lut[v] = uint8_t(Clamp255(fn(double(lut[v]))));
    lut_pending = true;
  };
  auto changed = [&]() { hist_valid = false; };
  auto brightness = [&](double f) { compose([f](double x) { return x * f; }); };
  auto contrast = [&](double f) {
    const int cc = ColorChannels(image.channels);
    const uint64_t pixels = uint64_t(image.width) * image.height;
    double mean;
    if (!prog.empty() || !lut_pending) {
      // The pending pass (if any) runs now and sums what it writes; no histogram needed.
      std::array<uint64_t, 3> sums;
      flush_lut(&sums);
      mean = MeanLumaOfSums(sums, cc, pixels);
    } else {  // only a table pending: the mean through it, from the histograms
      if (!hist_valid) ColorHistograms(image, &hist), hist_valid = true;
      mean = MeanLumaAfterLut(hist, cc, pixels, lut);
    }
    compose([f, mean](double x) { return f * x + (1 - f) * mean; });
  };

  for (const Step& st : steps) {
    const std::string& op = st.op;
    if (IsGeometric(op)) {
      flush_lut();
      auto g = GeomOf(st, gw, gh);
      if (!g) return g.error();
      M = Mul(g->m, M);
      gw = g->out_w, gh = g->out_h;
      geo_pending = true;
      if (const Value* b = st.Find("border"); b && !group_border_set) {
        group.border = ParseBorder(b->str, group.border);
        group_border_set = true;
      }
      if (const Value* f = st.Find("fill"))
        for (int c = 0; c < 4; ++c) group.fill[c] = uint8_t(f->nums[std::min<size_t>(c, f->nums.size() - 1)]);
      continue;
    }
    flush_geo();
    if (op == "brightness") {
      brightness(st.Num("factor", 0, 1));
    } else if (op == "contrast") {
      contrast(st.Num("factor", 0, 1));
    } else if (op == "gamma") {
      const double g = st.Num("gamma", 0, 1);
      compose([g](double x) { return 255.0 * std::pow(x / 255.0, g); });
    } else if (op == "posterize") {
      const int mask = 0xFF & ~((1 << (8 - std::clamp(int(st.Num("bits", 0, 8)), 1, 8))) - 1);
      compose([mask](double x) { return double(int(x) & mask); });
    } else if (op == "solarize") {
      const double t = st.Num("threshold", 0, 128);
      compose([t](double x) { return x >= t ? 255.0 - x : x; });
    } else if (op == "saturation" || op == "hue" || op == "jitter") {
      std::vector<int> order;
      if (op == "jitter") {
        const Value* o = st.Find("order");
        if (!o || o->nums.size() != 4) return MakeError("bad-aug", "jitter: needs \"order\": 4 numbers");
        for (double v : o->nums) order.push_back(int(v));
      } else {
        order.push_back(op == "saturation" ? 2 : 3);
      }
      for (int idx : order) {
        if (idx == 0 && st.Find("brightness")) brightness(st.Num("brightness"));
        if (idx == 1 && st.Find("contrast")) contrast(st.Num("contrast"));
        if (idx == 2 && (st.Find("saturation") || op == "saturation")) {
          seal_lut();
          ColorStep cs;
          cs.kind = ColorStep::kSaturation;
          cs.value = float(op == "saturation" ? st.Num("factor") : st.Num("saturation"));
          prog.push_back(cs);
        }
        if (idx == 3 && (st.Find("hue") || op == "hue")) {
          seal_lut();
          ColorStep cs;
          cs.kind = ColorStep::kHue;
          cs.value = float(op == "hue" ? st.Num("shift") : st.Num("hue"));
          prog.push_back(cs);
        }
      }
    } else {
      flush_lut();
      changed();
      if (op == "grayscale") {
        Grayscale(image);
      } else if (op == "channel_shuffle") {
        const int perm[3] = {int(st.Num("perm", 0)) % 3, int(st.Num("perm", 1)) % 3, int(st.Num("perm", 2)) % 3};
        ChannelShuffle(image, perm);
      } else if (op == "equalize") {
        Equalize(image);
      } else if (op == "noise") {
        AddGaussianNoise(image, float(st.Num("std")), uint64_t(st.Num("seed")), st.Num("per_channel", 0, 1) != 0);
      } else if (op == "blur") {
        GaussianBlur(image, float(st.Num("sigma")));
      } else if (op == "jpeg") {
        if (Status s = Jpeg(image, int(st.Num("quality", 0, 90))); !s) return s.error();
      } else if (op == "cutout") {
        uint8_t fill[4];
        const Value* f = st.Find("fill");
        for (int c = 0; c < 4; ++c)
          fill[c] = f && !f->nums.empty() ? uint8_t(f->nums[std::min<size_t>(c, f->nums.size() - 1)]) : 0;
        const Value* r = st.Find("rects");
        for (size_t i = 0; r && i + 3 < r->nums.size(); i += 4)
          FillRect(image, int(r->nums[i]), int(r->nums[i + 1]), int(r->nums[i + 2]), int(r->nums[i + 3]), fill);
      } else {
        return MakeError("bad-aug", "unknown op \"" + op + "\"");
      }
    }
  }
  flush_geo();
  flush_lut();

  // Boxes: drop what is cut away or too small, swap left/right labels when mirrored.
  for (size_t i = 0; i < boxes.size(); ++i) {
    const TrackedBox& t = tracked[i];
    const double area = Area(t.cur), full = Area(t.full);
    const double vis = full > 0 ? std::min(1.0, area / full) : 0.0;
    if (area <= 0 || vis < options.min_visibility || area < options.min_area) {
      const std::string* label = boxes[i].fields.FindRaw("label");
      res.dropped.push_back({i, label ? *label : std::string(), vis, area});
      continue;
    }
    BoxRecord b = std::move(boxes[i]);
    b.box = t.cur;
    if (mirrored && !options.swap_labels.empty()) {
      if (auto label = b.Label()) {
        for (const auto& [a, z] : options.swap_labels) {
          if (*label == a) { b.fields.SetString("label", z); break; }
          if (*label == z) { b.fields.SetString("label", a); break; }
        }
      }
    }
    res.boxes.push_back(std::move(b));
  }
  res.mirrored = mirrored;
  res.image = std::move(image);
  return res;
}

std::string StepsToJson(const std::vector<Step>& steps) {
  std::string out = "[";
  for (size_t i = 0; i < steps.size(); ++i) {
    if (i) out += ",";
    out += "{\"op\":";
    AppendJsonString(&out, steps[i].op);
    if (!steps[i].values.empty()) out += ",";
    AppendValues(&out, steps[i].values);
    out += "}";
  }
  return out + "]";
}

Result<std::vector<Step>> StepsFromJson(std::string_view json_array) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string copy(json_array);
  if (parser.parse(copy).get(doc)) return MakeError("bad-aug", "aug.ops is not valid JSON");
  simdjson::dom::array arr;
  if (doc.get_array().get(arr)) return MakeError("bad-aug", "aug.ops must be an array");
  std::vector<Step> steps;
  for (auto el : arr) {
    simdjson::dom::object obj;
    if (el.get_object().get(obj)) return MakeError("bad-aug", "aug.ops: each step must be an object");
    Step st;
    for (auto [key, value] : obj) {
      std::string_view sv;
      double x;
      simdjson::dom::array a;
      if (key == "op") {
        if (value.get_string().get(sv)) return MakeError("bad-aug", "aug.ops: \"op\" must be a string");
        st.op = std::string(sv);
        continue;
      }
      Value v;
      v.key = std::string(key);
      if (!value.get_string().get(sv)) {
        v.is_str = true;
        v.str = std::string(sv);
      } else if (!value.get_double().get(x)) {
        v.nums = {x};
      } else if (!value.get_array().get(a)) {
        v.is_list = true;
        for (auto e : a) {
          if (e.get_double().get(x)) return MakeError("bad-aug", "aug.ops: arrays must hold numbers");
          v.nums.push_back(x);
        }
      } else {
        return MakeError("bad-aug", "aug.ops: unexpected value for \"" + v.key + "\"");
      }
      st.values.push_back(std::move(v));
    }
    if (st.op.empty()) return MakeError("bad-aug", "aug.ops: a step without \"op\"");
    steps.push_back(std::move(st));
  }
  return steps;
}

}  // namespace imgpipe::aug
