// Colour and pixel-value operations on u8 images (img-aug's photometric ops): LUTs, HSV, blur, noise.
#pragma once

#include <array>
#include <cstdint>

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

// Saturation as torchvision's adjust_saturation: blend with the luma, out = f x + (1 - f) luma,
// rounded to nearest and clamped. RGB(A) only; gray images are returned as they are.
void AdjustSaturation(Image& img, float factor);
// Hue as torchvision's adjust_hue: RGB -> HSV, h += shift (in turns, [-0.5, 0.5]), back.
void AdjustHue(Image& img, float shift);
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
