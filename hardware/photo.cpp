// Photos with libjpeg-turbo (TurboJPEG API) and libsodium: decode, downscale, encode, hash.
#include "hardware/photo.hpp"

#include <sodium.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace lapor {
namespace {

struct TjDeleter {
    void operator()(void* handle) const { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjDeleter>;

std::string tjMessage(void* handle) {
    return tjGetErrorStr2(handle);
}

// Integer area-averaging weights for one axis: output pixel i covers input [i*s, (i+1)*s).
struct AxisWeights {
    std::vector<std::uint32_t> first;    // first input index per output
    std::vector<std::uint32_t> count;    // number of inputs per output
    std::vector<std::uint16_t> weights;  // concatenated; each output's weights sum to kOne
    std::vector<std::uint32_t> offset;   // start of each output's weights
};

constexpr std::uint32_t kOne = 256;  // fixed-point 1.0 per axis; two axes give 16 bits

AxisWeights areaWeights(std::uint32_t in, std::uint32_t out) {
    AxisWeights w;
    const double scale = static_cast<double>(in) / out;
    for (std::uint32_t i = 0; i < out; ++i) {
        const double lo = i * scale;
        const double hi = std::min<double>((i + 1) * scale, in);
        const auto begin = static_cast<std::uint32_t>(std::floor(lo));
        const auto end =
            std::min<std::uint32_t>(in, static_cast<std::uint32_t>(std::ceil(hi - 1e-9)));
        w.first.push_back(begin);
        w.offset.push_back(static_cast<std::uint32_t>(w.weights.size()));
        std::uint32_t sum = 0;
        std::size_t biggest = w.weights.size();
        for (std::uint32_t j = begin; j < std::max(end, begin + 1); ++j) {
            const double cover = std::min<double>(j + 1, hi) - std::max<double>(j, lo);
            const auto q = static_cast<std::uint16_t>(std::lround(cover / scale * kOne));
            w.weights.push_back(q);
            sum += q;
            if (q > w.weights[biggest]) {
                biggest = w.weights.size() - 1;
            }
        }
        // Rounding may miss kOne by a little; give the difference to the heaviest tap.
        w.weights[biggest] = static_cast<std::uint16_t>(w.weights[biggest] + kOne - sum);
        w.count.push_back(static_cast<std::uint32_t>(w.weights.size() - w.offset.back()));
    }
    return w;
}

// One input row resampled horizontally, values scaled by kOne.
void resampleRow(const std::uint8_t* src, const AxisWeights& w, std::uint32_t outWidth,
                 std::uint16_t* dst) {
    for (std::uint32_t x = 0; x < outWidth; ++x) {
        const std::uint8_t* p = src + std::size_t{3} * w.first[x];
        const std::uint16_t* k = w.weights.data() + w.offset[x];
        std::uint32_t r = 0;
        std::uint32_t g = 0;
        std::uint32_t b = 0;
        for (std::uint32_t t = 0; t < w.count[x]; ++t, p += 3) {
            r += k[t] * p[0];
            g += k[t] * p[1];
            b += k[t] * p[2];
        }
        dst[3 * x] = static_cast<std::uint16_t>(r);
        dst[3 * x + 1] = static_cast<std::uint16_t>(g);
        dst[3 * x + 2] = static_cast<std::uint16_t>(b);
    }
}

// Averages k x k blocks (partial blocks at the right and bottom edges over what they hold).
// Exact area averaging for an integer factor, and cheap: rows are summed first (vectorisable),
// then k neighbours in the summed row.
Frame boxReduce(const Frame& image, std::uint32_t k) {
    Frame out;
    out.width = (image.width + k - 1) / k;
    out.height = (image.height + k - 1) / k;
    out.sequence = image.sequence;
    out.timestampMs = image.timestampMs;
    out.rgb.resize(std::size_t{3} * out.width * out.height);
    const std::size_t inRow = std::size_t{3} * image.width;
    std::vector<std::uint32_t> sum(inRow);
    for (std::uint32_t oy = 0; oy < out.height; ++oy) {
        const std::uint32_t y0 = oy * k;
        const std::uint32_t rows = std::min(k, image.height - y0);
        std::fill(sum.begin(), sum.end(), 0U);
        for (std::uint32_t r = 0; r < rows; ++r) {
            const std::uint8_t* src = image.rgb.data() + (y0 + r) * inRow;
            for (std::size_t i = 0; i < inRow; ++i) {
                sum[i] += src[i];
            }
        }
        std::uint8_t* dst = out.rgb.data() + std::size_t{3} * out.width * oy;
        // Divide by multiplying with a 2^24 fixed-point reciprocal: a division per value would
        // cost more than all the additions together.
        const auto reciprocal = [](std::uint32_t n) {
            return static_cast<std::uint64_t>(((std::uint64_t{1} << 24) + n / 2) / n);
        };
        const std::uint64_t fullInv = reciprocal(k * rows);
        for (std::uint32_t ox = 0; ox < out.width; ++ox) {
            const std::uint32_t x0 = ox * k;
            const std::uint32_t cols = std::min(k, image.width - x0);
            const std::uint64_t inv = cols == k ? fullInv : reciprocal(cols * rows);
            const std::uint32_t* p = sum.data() + std::size_t{3} * x0;
            std::uint32_t v[3] = {0, 0, 0};
            for (std::uint32_t i = 0; i < cols; ++i, p += 3) {
                v[0] += p[0];
                v[1] += p[1];
                v[2] += p[2];
            }
            for (std::size_t c = 0; c < 3; ++c) {
                dst[std::size_t{3} * ox + c] = static_cast<std::uint8_t>(
                    std::min<std::uint64_t>(255, (v[c] * inv + (std::uint64_t{1} << 23)) >> 24));
            }
        }
    }
    return out;
}

}  // namespace

Result<Frame> decodeJpeg(std::span<const std::uint8_t> jpeg, const DecodeLimits& limits) {
    if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) {
        return makeError(Errc::invalidInput, "not a JPEG file");
    }
    TjHandle handle(tjInitDecompress());
    if (!handle) {
        return makeError(Errc::internal, "libjpeg-turbo: cannot create a decompressor");
    }
    int width = 0;
    int height = 0;
    int subsamp = 0;
    int colorspace = 0;
    const auto size = static_cast<unsigned long>(jpeg.size());
    if (tjDecompressHeader3(handle.get(), jpeg.data(), size, &width, &height, &subsamp,
                            &colorspace) != 0) {
        return makeError(Errc::corrupt, "JPEG header unreadable: " + tjMessage(handle.get()));
    }
    if (width <= 0 || height <= 0) {
        return makeError(Errc::corrupt, "JPEG header incomplete");
    }
    if (static_cast<std::uint32_t>(width) > limits.maxWidth ||
        static_cast<std::uint32_t>(height) > limits.maxHeight ||
        static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) > limits.maxPixels) {
        return makeError(Errc::invalidInput,
                         "JPEG too large: " + std::to_string(width) + "x" + std::to_string(height));
    }
    Frame frame;
    frame.width = static_cast<std::uint32_t>(width);
    frame.height = static_cast<std::uint32_t>(height);
    frame.rgb.resize(std::size_t{3} * frame.width * frame.height);
    // Warnings (truncated data, bad Huffman codes) are errors: a damaged photo is not evidence.
    // LIMITSCANS refuses progressive files with absurd scan counts (CPU exhaustion).
    if (tjDecompress2(handle.get(), jpeg.data(), size, frame.rgb.data(), width, 0, height, TJPF_RGB,
                      TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0) {
        return makeError(Errc::corrupt, "JPEG data damaged: " + tjMessage(handle.get()));
    }
    return frame;
}

Result<std::vector<std::uint8_t>> encodeJpeg(const Frame& image, int quality) {
    if (image.width == 0 || image.height == 0 ||
        image.rgb.size() != std::size_t{3} * image.width * image.height) {
        return makeError(Errc::invalidInput, "image has no pixels or a wrong buffer size");
    }
    if (quality < 1 || quality > 100) {
        return makeError(Errc::invalidInput, "JPEG quality must be 1..100");
    }
    TjHandle handle(tjInitCompress());
    if (!handle) {
        return makeError(Errc::internal, "libjpeg-turbo: cannot create a compressor");
    }
    unsigned char* out = nullptr;
    unsigned long outSize = 0;
    // TurboJPEG writes SOI, a JFIF APP0, the tables and the scan: no EXIF, no comment.
    const int rc = tjCompress2(handle.get(), image.rgb.data(), static_cast<int>(image.width), 0,
                               static_cast<int>(image.height), TJPF_RGB, &out, &outSize, TJSAMP_420,
                               quality, 0);
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(out, tjFree);
    if (rc != 0) {
        return makeError(Errc::internal, "JPEG encode failed: " + tjMessage(handle.get()));
    }
    return std::vector<std::uint8_t>(out, out + outSize);
}

namespace {
Frame areaDownscale(const Frame& image, std::uint32_t longSide);
}  // namespace

Frame downscale(const Frame& image, std::uint32_t longSide) {
    const std::uint32_t longest = std::max(image.width, image.height);
    if (longSide == 0 || longest <= longSide) {
        return image;
    }
    // Big ratios: first an integer box reduction that leaves a ratio between 1 and 2 for the
    // fractional pass, which then needs at most three taps per axis.
    if (const std::uint32_t k = longest / longSide; k >= 2) {
        const Frame reduced = boxReduce(image, k);
        if (std::max(reduced.width, reduced.height) <= longSide) {
            return reduced;
        }
        return areaDownscale(reduced, longSide);
    }
    return areaDownscale(image, longSide);
}

namespace {

Frame areaDownscale(const Frame& image, std::uint32_t longSide) {
    const std::uint32_t longest = std::max(image.width, image.height);
    const auto scaled = [&](std::uint32_t v) {
        return std::max<std::uint32_t>(
            1,
            static_cast<std::uint32_t>(std::lround(static_cast<double>(v) * longSide / longest)));
    };
    Frame out;
    out.width = image.width >= image.height ? longSide : scaled(image.width);
    out.height = image.height > image.width ? longSide : scaled(image.height);
    out.sequence = image.sequence;
    out.timestampMs = image.timestampMs;
    out.rgb.resize(std::size_t{3} * out.width * out.height);

    const AxisWeights wx = areaWeights(image.width, out.width);
    const AxisWeights wy = areaWeights(image.height, out.height);
    const std::size_t rowValues = std::size_t{3} * out.width;
    const std::size_t inRowBytes = std::size_t{3} * image.width;
    // Input rows on the border between two output rows are resampled once and kept here.
    std::vector<std::uint16_t> row(rowValues);
    std::int64_t rowIndex = -1;
    std::vector<std::uint32_t> acc(rowValues);
    for (std::uint32_t y = 0; y < out.height; ++y) {
        std::fill(acc.begin(), acc.end(), 0U);
        const std::uint16_t* k = wy.weights.data() + wy.offset[y];
        for (std::uint32_t t = 0; t < wy.count[y]; ++t) {
            const std::uint32_t src = wy.first[y] + t;
            if (rowIndex != src) {
                resampleRow(image.rgb.data() + src * inRowBytes, wx, out.width, row.data());
                rowIndex = src;
            }
            const std::uint32_t weight = k[t];
            for (std::size_t i = 0; i < rowValues; ++i) {
                acc[i] += weight * row[i];
            }
        }
        std::uint8_t* dst = out.rgb.data() + rowValues * y;
        for (std::size_t i = 0; i < rowValues; ++i) {
            dst[i] = static_cast<std::uint8_t>(
                std::min<std::uint32_t>(255, (acc[i] + kOne * kOne / 2) / (kOne * kOne)));
        }
    }
    return out;
}

}  // namespace

std::string sha256Hex(std::span<const std::uint8_t> bytes) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, bytes.data(), bytes.size());
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return std::string(hex);
}

namespace {

Result<Photo> makeStored(const Frame& image, int quality) {
    auto jpeg = encodeJpeg(image, quality);
    if (!jpeg) {
        return jpeg.error();
    }
    Photo photo;
    photo.sha256Hex = sha256Hex(*jpeg);
    photo.jpeg = std::move(jpeg).value();
    photo.width = image.width;
    photo.height = image.height;
    return photo;
}

}  // namespace

Result<ProcessedPhoto> processPhoto(const Frame& capture, const PhotoOptions& options) {
    const Frame stored = downscale(capture, options.longSide);
    auto photo = makeStored(stored, options.quality);
    if (!photo) {
        return photo.error();
    }
    // The thumbnail comes from the already reduced image: same look, a fraction of the work.
    auto thumbnail =
        makeStored(downscale(stored, options.thumbnailLongSide), options.thumbnailQuality);
    if (!thumbnail) {
        return thumbnail.error();
    }
    return ProcessedPhoto{std::move(photo).value(), std::move(thumbnail).value()};
}

}  // namespace lapor
