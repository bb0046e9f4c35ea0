// Colour and pixel-value operations on u8 images (img-aug's photometric ops): LUTs, HSV, blur, noise.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "libcommon/image.h"

namespace imgpipe {

// Colour channels of an image: 3 for RGB/RGBA, 1 for gray/gray+alpha. Alpha is never touched by
// a photometric op.
inline int ColorChannels(int channels) { return channels >= 3 ? 3 : 1; }

using Lut = std::array<uint8_t, 256>;

// lut applied to every colour sample (one table for all colour channels).
void ApplyLut(Image& img, const Lut& lut);
// Per colour channel histograms (256 bins each; gray images fill only [0]).
void ColorHistograms(const Image& img, std::array<std::array<uint64_t, 256>, 3>* hist);
// Mean luma (0.299 R + 0.587 G + 0.114 B, or the gray value) of the image after `lut`, computed
// exactly from the histograms (luma is linear, so the mean of the luma is the luma of the means).
double MeanLumaAfterLut(const std::array<std::array<uint64_t, 256>, 3>& hist, int color_channels,
                        uint64_t pixels, const Lut& lut);

// Mean luma from per-colour-channel sums (what ColorSums and ApplyColorSteps give); the same
// double as MeanLumaAfterLut of the histograms with an identity table.
double MeanLumaOfSums(const std::array<uint64_t, 3>& sums, int color_channels, uint64_t pixels);
// Per colour channel sums of the samples (SIMD).
void ColorSums(const Image& img, std::array<uint64_t, 3>* sums);

// Saturation as torchvision's adjust_saturation: blend with the luma, out = f x + (1 - f) luma,
// rounded to nearest and clamped. RGB(A) only; gray images are returned as they are.
void AdjustSaturation(Image& img, float factor);
// Hue as torchvision's adjust_hue: RGB -> HSV, h += shift (in turns, [-0.5, 0.5]), back. Computed
// exactly in integers (HSV's p is the minimum and q, t lie between minimum and maximum, so only the
// position inside the hue sextant moves), the shift quantised to 1/65536 of a sextant, and each
// sample rounded to nearest (ties up). shift 0 gives the image back unchanged.
void AdjustHue(Image& img, float shift);

// One pointwise colour step of a fused pass.
struct ColorStep {
  enum Kind { kLut, kSaturation, kHue } kind = kLut;
  Lut lut{};          // kLut: one table for every colour sample
  float value = 0;    // kSaturation: factor; kHue: shift in turns
};
// Runs `steps` in order in one pass over the pixels (chunks of a few hundred pixels are split into
// planes that stay in L1 while every step runs over them): the same bytes as ApplyLut,
// AdjustSaturation and AdjustHue one after another. If `sums` is given it receives ColorSums of
// the result (what a following contrast needs for its mean), without another pass.
void ApplyColorSteps(Image& img, const std::vector<ColorStep>& steps, std::array<uint64_t, 3>* sums = nullptr);
// Gaussian blur, kernel radius ceil(3 sigma) (at least 1), border reflect-101 (OpenCV's default).
void GaussianBlur(Image& img, float sigma);

// The rest are scalar (table-driven or memory-bound).
// Luma replicated into R, G and B (channel count kept, so a batch keeps one shape).
void Grayscale(Image& img);
// Colour channel k of the output is input channel perm[k].
void ChannelShuffle(Image& img, const int perm[3]);
// Per-channel histogram equalisation, as PIL's ImageOps.equalize.
void Equalize(Image& img);
// x + N(0, sigma^2) per sample (per_channel) or per pixel, rounded and clamped. The noise is a
// pure function of `seed` (SplitMix64 into a 4096-entry inverse-normal table).
void AddGaussianNoise(Image& img, float sigma, uint64_t seed, bool per_channel);
// Fills the rectangle [x0, x1) x [y0, y1) (clipped) with `fill` (per channel).
void FillRect(Image& img, int x0, int y0, int x1, int y1, const uint8_t fill[4]);

}  // namespace imgpipe
